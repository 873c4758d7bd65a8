"""Thin Slack adapters: parse, validate, call the domain, ack."""

from slack_bolt import App

from bot.app import AppContext


def register_all(app: App, ctx: AppContext) -> None:
    from handlers import actions, commands, events, views

    commands.register(app, ctx)
    actions.register(app, ctx)
    views.register(app, ctx)
    events.register(app, ctx)
    views.register_update(app, ctx)
