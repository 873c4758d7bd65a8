"""Who carries the pager: per person and schedule, hours on call, of them out of business hours, pages,
and night pages (22:00 to 07:00 in ``timezone``) over a period, for ``GET /stats/oncall.csv`` and the ``/stats`` page.

Hours come from the schedules as the file says them now, with the overrides and time off in the database
(the file's history is not kept); pages from the page log (first pages, not renotifies, whose target is
the schedule).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select

from bot.core.calendar import local_time
from bot.core.errors import UserError
from bot.paging import layers
from bot.paging.oncall import OnCallPart
from bot.retro.export import date_range
from models import PageNotification

NIGHT = (time(22), time(7))
LONGEST = timedelta(days=366)
COLUMNS = ("user_id", "user_name", "schedule", "hours_on_call", "hours_out_of_hours", "pages", "night_pages")


@dataclass
class Load:
    user: str
    schedule: str
    hours: float = 0.0
    out_of_hours: float = 0.0
    pages: int = 0
    night_pages: int = 0


class FairnessService(OnCallPart):
    def loads(self, since: str | None, until: str | None) -> list[Load]:
        """The period's load per person and schedule (``since`` 4 weeks ago and ``until`` today by default)."""
        now = self._clock.now()
        start, end = date_range(since or (now - timedelta(weeks=4)).astimezone(self._config.tz).date().isoformat(),
                                until, self._config.tz, now)
        return self.between(start, end)

    def between(self, start: datetime, end: datetime, carried: bool = False) -> list[Load]:
        """The load per person and schedule over ``[start, end)`` (the ``/stats`` page's period), a year at most;
        ``carried``: hours only up to now, not those still ahead."""
        if end - start > LONGEST:
            raise UserError("The period is longer than a year; give a shorter one, such as since=2026-11-01.",
                            field="since")
        found: dict[tuple[str, str], Load] = {}
        for name, rota in self._oncall.rotas(start).items():
            for shift in layers.shifts(rota, start, min(end, self._clock.now()) if carried else end):
                load = found.setdefault((shift.user, name), Load(shift.user, name))
                length = shift.end - shift.start
                load.hours += length / timedelta(hours=1)
                load.out_of_hours += (length - self._business(shift.start, shift.end)) / timedelta(hours=1)
        with self._sessions() as session:
            pages = session.execute(select(PageNotification.user_id, PageNotification.target, PageNotification.created_at)
                                    .where(PageNotification.renotify.is_(False), PageNotification.created_at >= start,
                                           PageNotification.created_at < end)).all()
        for user, target, at in pages:
            name = target.removeprefix("on call for ")
            if name not in self._config.schedules:
                continue
            load = found.setdefault((user, name), Load(user, name))
            load.pages += 1
            clock = at.astimezone(self._config.tz).time()
            load.night_pages += clock >= NIGHT[0] or clock < NIGHT[1]
        return sorted(found.values(), key=lambda load: (load.schedule, -load.hours, load.user))

    def _business(self, start: datetime, end: datetime) -> timedelta:
        """How much of ``[start, end)`` falls in business hours."""
        hours, tz = self._config.business_hours, self._config.tz
        day, last, inside = start.astimezone(tz).date(), end.astimezone(tz).date(), timedelta(0)
        while day <= last:
            if day.weekday() in hours.days:
                opens = local_time(day, hours.start, tz)
                closes = local_time(day, hours.end, tz)
                inside += max(timedelta(0), min(end, closes) - max(start, opens))
            day += timedelta(days=1)
        return inside
