"""Buttons: a database change, then the ack. The incident id rides in the button's value.

Most buttons answer only when something went wrong (everyone sees the result in the channel);
*Subscribe* answers the person, and *Post update* opens a form.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from slack_bolt import Ack, App

from bot.comms.updates import UpdateService
from bot.incidents.service import IncidentService
from bot.slack.blocks import Message, replies
from bot.slack.ids import Action
from handlers.slack.payloads import check_button_value, pressed_on, user_id
from handlers.slack.replies import Answers, reply_within

Change = Callable[[dict, str], Message | None]
Pressed = Callable[[int, str, str, str], None]


def register(app: App, incidents: IncidentService, updates: UpdateService, answers: Answers) -> None:
    def subscribe(action: dict, user: str) -> Message:
        incident_id = int(action["value"])
        on = updates.subscribe(incident_id, user)
        return replies.subscribed(incident_id, on)

    def snooze(action: dict, user: str) -> Message:
        incident_id, minutes = (int(part) for part in action["value"].split(":"))
        updates.snooze(incident_id, user, minutes)
        return replies.snoozed(incident_id, minutes)

    buttons: dict[str | re.Pattern, Change] = {
        Action.SUBSCRIBE: subscribe,
        re.compile(rf"^{Action.SNOOZE}_\d+$"): snooze,
    }
    for action_id, change in buttons.items():
        app.action(action_id)(button(answers, change))
    for action_id, silent in ((Action.ACKNOWLEDGE, incidents.acknowledge), (Action.TAKE_COMMS, incidents.take_comms),
                              (Action.RESOLVE, incidents.resolve)):
        app.action(action_id)(button(answers, _silent(silent), incidents.pressed_on_summary))

    @app.action(Action.POST_UPDATE)
    def post_update(ack: Ack, body: dict, action: dict) -> None:
        check_button_value(action)
        answers.later(answers.notices.open_update_form, body["trigger_id"], int(action["value"]), user_id(body),
                      body.get("response_url"))
        ack()


def register_public(app: App, answers: Answers) -> None:
    @app.action(Action.PUBLIC_UPDATE)
    def public_update(ack: Ack, body: dict, action: dict) -> None:
        check_button_value(action)
        answers.later(answers.notices.open_public_form, body["trigger_id"], int(action["value"]), user_id(body),
                      body.get("response_url"))
        ack()


def _silent(change: Callable[[int, str], object]) -> Change:
    """A button whose result everyone sees in the channel: nothing to answer the presser."""

    def apply(action: dict, user: str) -> None:
        change(int(action["value"]), user)

    return apply


def button(answers: Answers, change: Change, pressed: Pressed | None = None):
    """A listener that applies ``change`` and answers the person only if there is something to say.
    ``pressed`` hears first where the button was and its response URL (the summary is replaced through it)."""

    def listener(ack: Ack, body: dict, action: dict) -> None:
        user = user_id(body)
        check_button_value(action)
        source = pressed_on(body) if pressed is not None else None

        def apply() -> Message | None:
            if source is not None:
                pressed(int(action["value"]), *source)
            return change(action, user)

        reply = reply_within(answers, apply, f"the {action['action_id']} button",
                             body.get("response_url"), user, body["trigger_id"])
        if reply is not None:
            answers.tell(body.get("response_url"), reply, user)
        ack()

    return listener
