"""The HTTP application: every route the ``web`` process serves, gathered from ``handlers.http``.

Internal pages and files are guarded by ``bot.web.auth.Access``; HTML comes from the templates
through ``bot.web.pages.Pages``; both are built here once and handed to the route modules.
"""

from __future__ import annotations

from slack_bolt import App
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from bot.app import AppContext
from bot.web.auth import Access
from bot.web.pages import STATIC, Pages
from handlers.http import health, reports, slack_events, webhooks


def create_web_app(ctx: AppContext, bolt: App | None) -> Starlette:
    pages = Pages(ctx.config.tz, ctx.settings.public_url)
    access = Access(ctx.settings.console_token)
    return Starlette(routes=[
        *slack_events.routes(ctx, bolt),
        *health.routes(ctx.engine),
        *webhooks.routes(ctx.alerts, ctx.settings.webhook_token, ctx.config.alerts),
        *reports.routes(ctx.reports, pages, access, ctx.rendering),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ])
