"""Buttons on the pinned summary: a database change, then the ack; the incident id rides in the value."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App

from bot.app import AppContext
from bot.ids import Action
from handlers.replies import outcome


def register(app: App, ctx: AppContext) -> None:
    buttons: dict[Action, Callable[[int, str], object]] = {
        Action.ACKNOWLEDGE: ctx.incidents.acknowledge,
        Action.TAKE_COMMS: ctx.incidents.take_comms,
        Action.RESOLVE: ctx.incidents.resolve,
    }
    for action_id, change in buttons.items():
        app.action(action_id)(_button(ctx, action_id, change))


def _button(ctx: AppContext, action_id: Action, change: Callable[[int, str], object]):
    """A listener that applies ``change``; the channel sees the result, only errors are answered."""

    def listener(ack: Ack, body: dict, action: dict) -> None:
        user = body["user"]["id"]

        def work() -> None:
            change(int(action["value"]), user)

        reply = outcome(work, f"the {action_id} button")
        if reply is not None:
            ctx.effects.answer(ctx.notices.reply, body.get("response_url"), reply, user)
        ack()

    listener.__name__ = f"on_{action_id}"
    return listener
