"""The HTTP application: every route the ``web`` process serves, gathered from ``handlers.http``.

Internal pages and files are guarded by one ``bot.web.auth.Access`` (session cookies signed
with SESSION_SECRET, else a secret kept in the database so every web process agrees, and the
CONSOLE_TOKEN bearer); HTML comes from the templates through one ``bot.web.pages.Pages``; both
are built here and handed to the route modules.
"""

from __future__ import annotations

from slack_bolt import App
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from bot.app import AppContext
from bot.console.queries import ConsoleQueries
from bot.core.secrets import stored_secret
from bot.web.auth import Access
from bot.web.pages import STATIC, Pages
from bot.web.sessions import SessionCookies
from bot.web.status_cache import StatusCache
from bot.web.status_formats import status_formats
from handlers.http import auth, console, health, heartbeats, paging, reports, slack_events, stats, status, webhooks
from handlers.http.auth import SlackSignIn


def create_web_app(ctx: AppContext, bolt: App | None) -> Starlette:
    settings = ctx.settings
    pages = Pages(ctx.config.tz, settings.public_url)
    def secret() -> str:
        return settings.session_secret or stored_secret(ctx.sessions, "session", ctx.clock.now())

    access = Access(settings.console_token, SessionCookies(secret, secure=settings.public_url.startswith("https://")))
    signin = None
    if settings.slack_client_id and settings.slack_client_secret and ctx.gateway is not None:
        signin = SlackSignIn(ctx.gateway, settings.slack_client_id, settings.slack_client_secret,
                             settings.slack_api_url, settings.public_url)
    status_cache = StatusCache(ctx.status, ctx.clock, status_formats(pages, settings.public_url))
    return Starlette(routes=[
        *slack_events.routes(ctx, bolt),
        *health.routes(ctx.engine, ctx.problems, ctx.liveness),
        *webhooks.routes(ctx.alerts, settings.webhook_token, ctx.config.alerts, ctx.watchdog.receive),
        *heartbeats.routes(ctx.heartbeats, settings.webhook_token, access, pages),
        *status.routes(status_cache),
        *auth.routes(access, pages, signin),
        *console.routes(access, pages, ConsoleQueries(ctx.sessions, ctx.config, ctx.oncall)),
        *reports.routes(ctx.reports, pages, access, ctx.rendering),
        *stats.routes(access, pages, ctx.retro),
        *paging.routes(ctx, pages),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ])
