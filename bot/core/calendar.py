"""Days, times of day, dates and zones, read and converted one way everywhere.

The configuration file, ``/incident`` commands, the retro's periods, reminders and rotations all
name weekdays, months, ``HH:MM`` and dates, and turn a wall-clock time in the configured zone into
UTC. Each rule is one function here, so "thurs" means Thursday wherever a day is typed.

**Local times that do not exist or exist twice** are read with zoneinfo's ``fold=0``: an ambiguous
time (02:30 on the night clocks go back) is its *first* occurrence, in summer time; a time in the gap
(02:30 on the night clocks go forward) is read with the offset in force before the gap, which puts it
after the gap by its length (02:30 → 03:30 summer time).
"""

from __future__ import annotations

import calendar as _stdlib
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""By ``date.weekday()`` number: 0 is Monday."""
WEEKDAY_FORMS = "mon, tue, wed, thu, fri, sat or sun"
"""How to write a weekday, for messages that say what was expected."""
MONTHS = tuple(name.lower() for name in _stdlib.month_name[1:])
"""By number minus one: January is ``MONTHS[0]``."""

_CLOCK = re.compile(r"(\d{1,2}):(\d\d)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _named(word: str, names: tuple[str, ...]) -> int | None:
    """The index of the name ``word`` is, whole or cut to three letters or more, in any case."""
    word = word.strip().lower()
    if len(word) < 3:
        return None
    for number, name in enumerate(names):
        if name.startswith(word):
            return number
    return None


def weekday(word: str) -> int | None:
    """0 (Monday) to 6 (Sunday) for a day's name or its first three letters or more (thu, thurs,
    thursday, in any case); None for anything else."""
    return _named(word, WEEKDAYS)


def month(word: str) -> int | None:
    """1 to 12 for a month's name or its first three letters or more (dec, sept, december); None otherwise."""
    number = _named(word, MONTHS)
    return None if number is None else number + 1


def time_of_day(text: str) -> time | None:
    """``HH:MM`` (or ``H:MM``) on a 24-hour clock; None for anything else (24:00 and 9:60 included)."""
    match = _CLOCK.fullmatch(text.strip())
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    return None


def iso_date(text: str) -> date | None:
    """A date written ``YYYY-MM-DD`` that exists; None for anything else (2026-02-30 included)."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def days_in_month(year: int, month_number: int) -> int:
    return _stdlib.monthrange(year, month_number)[1]


def to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """A naive wall-clock time in ``tz`` as aware UTC, by the ``fold=0`` rule of the module docstring."""
    if local.tzinfo is not None:
        raise ValueError(f"to_utc takes a naive local time, got {local!r}")
    return local.replace(tzinfo=tz, fold=0).astimezone(timezone.utc)


def local_time(day: date, at: time, tz: ZoneInfo) -> datetime:
    """``at`` on ``day`` in ``tz``, as aware UTC."""
    return to_utc(datetime.combine(day, at), tz)


def midnight(day: date, tz: ZoneInfo) -> datetime:
    """The start of ``day`` in ``tz``, as aware UTC."""
    return local_time(day, time(0), tz)


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The date it is in ``tz`` at the aware ``moment``."""
    return moment.astimezone(tz).date()


def next_weekly(after: datetime, day: int | None, at: time, tz: ZoneInfo) -> datetime:
    """The first ``at`` in ``tz`` strictly after ``after``, on weekday ``day`` (None: any day), as UTC."""
    today = local_day(after, tz)
    for ahead in range(8):
        candidate = today + timedelta(days=ahead)
        moment = local_time(candidate, at, tz)
        if (day is None or candidate.weekday() == day) and moment > after:
            return moment
    raise AssertionError("a weekday recurs within eight days")
