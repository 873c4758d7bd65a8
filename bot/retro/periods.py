"""Periods in the configured zone: ISO weeks and days as UTC ranges, right across daylight-saving changes.

The database has no time zones on SQLite, so local weeks and days are turned into UTC bounds here
and handed to the queries as a small table of buckets; every figure is then computed in SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.calendar import iso_date, local_day, midnight
from bot.core.errors import UserError, code


@dataclass(frozen=True)
class Bucket:
    """A labelled UTC range ``[start, end)``."""

    label: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime
    label: str  # for people: "the last 4 weeks"
    words: str  # as typed: "4w", "this week", "since 2026-11-01" (links carry it)


def monday_of(at: datetime, tz: ZoneInfo) -> date:
    local = local_day(at, tz)
    return local - timedelta(days=local.weekday())


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def weeks(since: datetime, until: datetime, tz: ZoneInfo) -> list[Bucket]:
    """The ISO weeks (Monday to Monday, local) that overlap ``[since, until)``, oldest first."""
    monday, found = monday_of(since, tz), []
    while midnight(monday, tz) < until:
        found.append(Bucket(week_label(monday), midnight(monday, tz), midnight(monday + timedelta(weeks=1), tz)))
        monday += timedelta(weeks=1)
    return found


def rolling(week_buckets: list[Bucket], tz: ZoneInfo, now: datetime, span: int = 4) -> list[Bucket]:
    """For each week, the ``span`` weeks ending with it (up to ``now``): a rolling window per week."""
    return [Bucket(week.label, midnight(local_day(week.start, tz) - timedelta(weeks=span - 1), tz),
                   min(week.end, now)) for week in week_buckets]


def days(now: datetime, tz: ZoneInfo, count: int = 90) -> list[Bucket]:
    """The last ``count`` local days, today (up to ``now``) included, oldest first."""
    today = local_day(now, tz)
    return days_between(midnight(today - timedelta(days=count - 1), tz), now, tz)


def days_between(since: datetime, until: datetime, tz: ZoneInfo) -> list[Bucket]:
    """The local days that overlap ``[since, until)``, each cut to it; never an empty one."""
    day, found = local_day(since, tz), []
    while (start := midnight(day, tz)) < until:
        found.append(Bucket(day.isoformat(), max(start, since), min(midnight(day + timedelta(days=1), tz), until)))
        day += timedelta(days=1)
    return found


def parse_period(words: list[str], now: datetime, tz: ZoneInfo) -> tuple[Period, list[str]]:
    """Read a period from the front of ``words`` (``4w``, ``this week``, ``since 2026-11-01``; default
    the last four weeks); returns it and the words left over."""
    this_monday = monday_of(now, tz)
    lowered = [word.lower() for word in words]
    if lowered[:2] == ["this", "week"]:
        return Period(midnight(this_monday, tz), now, "this week", "this week"), words[2:]
    if lowered[:1] == ["since"]:
        if len(words) < 2:
            raise UserError(f"{code('since')} needs a date, such as {code('since 2026-11-01')}.", command="stats")
        day = parse_date(words[1], command="stats")
        since = midnight(day, tz)
        if since >= now:
            raise UserError(f"{day.isoformat()} is not in the past; give a date before today.",
                            command="stats")
        return Period(since, now, f"since {day.isoformat()}", f"since {day.isoformat()}"), words[2:]
    if lowered and (match := re.fullmatch(r"(\d+)w", lowered[0])):
        count = int(match[1])
        if not 1 <= count <= 104:
            raise UserError(f"{code(words[0])} is not a number of weeks from 1w to 104w.", command="stats")
        return _last_weeks(count, this_monday, now, tz), words[1:]
    return _last_weeks(4, this_monday, now, tz), words


def _last_weeks(count: int, this_monday: date, now: datetime, tz: ZoneInfo) -> Period:
    return Period(midnight(this_monday - timedelta(weeks=count - 1), tz), now, f"the last {count} weeks", f"{count}w")


def parse_date(text: str, *, command: str | None = None, field: str | None = None) -> date:
    if (day := iso_date(text)) is None:
        raise UserError(f"{code(text)} is not a date; write it as 2026-11-01.", command=command, field=field)
    return day
