"""What every page and route shares, and the HTTP application around the routes the features add.

Internal pages and files are guarded by one ``bot.web.auth.Access`` (session cookies signed
with SESSION_SECRET, else a secret kept in the database so every web process agrees, and the
CONSOLE_TOKEN bearer); HTML comes from the templates through one ``bot.web.pages.Pages``. Both are
built once (``web_parts``) and handed to each feature's routes; ``bot.app`` gathers the routes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from bot.config import IncidentConfig, Settings
from bot.core.clock import Clock
from bot.core.db import database_busy
from bot.core.secrets import stored_secret
from bot.people import PeopleDirectory
from bot.web.auth import Access
from bot.web.pages import STATIC, Pages
from bot.web.sessions import SessionCookies


@dataclass(frozen=True)
class Web:
    """One template environment and one guard, shared by every feature's pages."""

    pages: Pages
    access: Access


def web_parts(settings: Settings, config: IncidentConfig, sessions: sessionmaker[Session], clock: Clock,
              people: PeopleDirectory | None = None) -> Web:
    def secret() -> str:
        return settings.session_secret or stored_secret(sessions, "session", clock.now())

    cookies = SessionCookies(secret, secure=settings.public_url.startswith("https://"))
    return Web(Pages(config.tz, settings.public_url, people), Access(settings.console_token, cookies))


log = logging.getLogger(__name__)

BUSY_RETRY_AFTER = 5
"""Seconds a client is asked to wait when the database could not take its request in time."""


def starlette_app(routes: Sequence[BaseRoute]) -> Starlette:
    return Starlette(routes=[*routes, Mount("/static", StaticFiles(directory=STATIC), name="static")],
                     exception_handlers={OperationalError: _database_busy, PoolTimeout: _database_busy})


async def _database_busy(request: Request, exc: Exception) -> Response:
    """A database too busy to take the request (a lock held elsewhere): nothing was written, so the
    client is told to try again (a cron's curl, an uptime check) in one log line, not a stack trace."""
    if not database_busy(exc):
        raise exc
    log.warning("answered %s %s with 503: the database is busy (%s)", request.method, request.url.path,
                type(exc).__name__)
    return JSONResponse({"error": "the database is busy; nothing was written, try again in a few seconds"},
                        status_code=503, headers={"Retry-After": str(BUSY_RETRY_AFTER)})
