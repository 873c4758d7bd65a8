"""When the weekly digest is due, as a durable timer row (never an in-memory cron).

One pending row per digest, keyed by its date: arming again (each worker's start, the previous
digest as it fires) adds nothing, and the timer worker's claim runs it once however many workers
there are. The digest reports the last whole ISO week before it is due, against the week before.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from bot.config import IncidentConfig
from bot.jobs import timers
from bot.retro.periods import monday_of
from models import Timer

DIGEST = "retro.digest"


def next_due(config: IncidentConfig, after: datetime) -> datetime | None:
    """The first digest time strictly after ``after`` (the configured weekday and time, in the zone)."""
    if config.retro is None or config.retro.channel is None:
        return None
    tz, local = config.tz, after.astimezone(config.tz)
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        moment = datetime.combine(day, config.retro.time, tzinfo=tz)
        if day.weekday() == config.retro.day and moment > local:
            return moment.astimezone(timezone.utc)
    raise AssertionError("a weekday recurs within eight days")


def arm(session: Session, config: IncidentConfig, now: datetime) -> Timer | None:
    """Schedule the next digest unless it is pending already (in the caller's transaction)."""
    due = next_due(config, now)
    if due is None:
        return None
    week = monday_of(due, config.tz) - timedelta(weeks=1)
    return timers.schedule(session, DIGEST, due, key=f"retro:digest:{due.astimezone(config.tz).date()}",
                           payload={"week": week.isoformat()})


def reported_week(timer: Timer) -> date:
    return date.fromisoformat(timer.payload["week"])
