"""The HTTP application: every route the ``web`` process serves, gathered from ``handlers.http``."""

from __future__ import annotations

from slack_bolt import App
from starlette.applications import Starlette

from bot.app import AppContext
from handlers.http import health, slack_events, webhooks


def create_web_app(ctx: AppContext, bolt: App | None) -> Starlette:
    return Starlette(routes=[
        *slack_events.routes(ctx, bolt),
        *health.routes(ctx.engine),
        *webhooks.routes(ctx.alerts, ctx.settings.webhook_token, ctx.config.alerts),
    ])
