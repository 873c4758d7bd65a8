"""When the weekly digest is due, as a durable timer row (never an in-memory cron).

One pending row per digest, keyed by its date: arming again (each worker's start, the previous
digest as it fires) adds nothing, and the timer worker's claim runs it once however many workers
there are. The digest reports the last whole ISO week before it is due, against the week before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.core.calendar import local_day, next_weekly
from bot.core.clock import Clock
from bot.jobs import timers
from bot.retro.periods import monday_of
from bot.retro.service import RetroService, Weekly
from models import Timer

log = logging.getLogger(__name__)

DIGEST = "retro.digest"


@dataclass(frozen=True)
class WeeklyDigest:
    """The digest's rows: armed at each worker's start and as each fires; ``post`` (the Slack side,
    None while Slack is off) shows the week's figures."""

    _sessions: sessionmaker[Session]
    _config: IncidentConfig
    _clock: Clock
    _retro: RetroService
    _post: Callable[[Weekly], None] | None

    def arm(self) -> None:
        """At a worker's start: the next digest is a row (added once, whoever starts first)."""
        with self._sessions() as session, session.begin():
            arm(session, self._config, self._clock.now())

    def fire(self, timer: Timer) -> None:
        """Post the week's digest. The next week's is armed first, so a failed post (retried from this
        row) never costs the following week its digest."""
        self.arm()
        if self._config.retro is None or self._config.retro.channel is None or self._post is None:
            log.info("weekly retro digest skipped: %s", "no retro channel is configured" if self._config.retro
                     is None else "Slack is off")
            return
        self._post(self._retro.digest(reported_week(timer)))


def next_due(config: IncidentConfig, after: datetime) -> datetime | None:
    """The first digest time strictly after ``after`` (the configured weekday and time, in the zone)."""
    if config.retro is None or config.retro.channel is None:
        return None
    return next_weekly(after, config.retro.day, config.retro.time, config.tz)


def arm(session: Session, config: IncidentConfig, now: datetime) -> Timer | None:
    """Schedule the next digest unless it is pending already (in the caller's transaction)."""
    due = next_due(config, now)
    if due is None:
        return None
    week = monday_of(due, config.tz) - timedelta(weeks=1)
    return timers.schedule(session, DIGEST, due, key=f"retro:digest:{local_day(due, config.tz)}",
                           payload={"week": week.isoformat()})


def reported_week(timer: Timer) -> date:
    return date.fromisoformat(timer.payload["week"])
