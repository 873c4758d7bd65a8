"""Bolt listeners: parse and validate what Slack sends, call the domain, ack with the answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from handlers.slack import actions, commands, events, people, report_views, views

if TYPE_CHECKING:
    from bot.app import AppContext


def register_all(app: App, ctx: AppContext) -> None:
    commands.register(app, ctx)
    actions.register(app, ctx)
    views.register(app, ctx)
    events.register(app, ctx)
    people.register(app, ctx)
    views.register_update(app, ctx)
    report_views.register(app, ctx)
    views.register_public(app, ctx)
