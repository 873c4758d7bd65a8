"""The app's own set-up problems, as the operator must hear of them: loudly in the log, and on
``/healthz`` while they last. A person who cannot be reached is their own matter; the whole app
unable to send DMs is everyone's."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock
from bot.core.db import PLAIN_READ
from models import AppProblem

log = logging.getLogger(__name__)

FRESH = timedelta(minutes=15)
"""A problem not met again for this long is taken as fixed."""

FIXES = {
    "messages_tab_disabled": "Slack refuses the app's direct messages (pages, checklists, updates): turn on the "
                             "Messages Tab under App Home in the app's settings at api.slack.com/apps (the "
                             "manifest's features.app_home). They are retried meanwhile.",
}


class AppProblems:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def met(self, code: str) -> None:
        """Record that ``code`` got in the way just now, and say so loudly."""
        detail = FIXES.get(code, code)
        log.error("The Slack app is not set up right: %s", detail)
        with self._sessions() as session, session.begin():
            problem = session.get(AppProblem, code, with_for_update=True)
            if problem is None:
                session.add(AppProblem(code=code, detail=detail, seen_at=self._clock.now()))
            else:
                problem.detail, problem.seen_at = detail, self._clock.now()

    def current(self, at: datetime | None = None) -> list[str]:
        """What is wrong now (met within ``FRESH``), for ``/healthz``."""
        since = (at or self._clock.now()) - FRESH
        with self._sessions() as session:
            session.connection(execution_options=PLAIN_READ)  # /healthz must not wait for a writer
            return list(session.scalars(select(AppProblem.detail).where(AppProblem.seen_at >= since)
                                        .order_by(AppProblem.code)))
