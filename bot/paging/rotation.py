"""On-call rotation arithmetic: pure functions of a schedule, a time zone and an aware instant.

No database, no clock, no Slack. One rotation alone: ``bot.paging.layers`` combines a schedule's layers.
Every instant going in must be timezone-aware; every instant coming out is aware UTC.

**Shifts.** Shift ``n`` belongs to ``members[n % len(members)]``; shifts tile time, each starting
where the previous one ends. Shift 0 starts at the *anchor*: the first handoff at or after
2024-01-01 00:00 local time (a Monday), that is, on 2024-01-01 + ``handoff.weekday`` days (or on
2024-01-01 itself when the handoff names no day) at ``handoff.at`` in the zone. The anchor is fixed,
so who is on call never depends on when the bot was started or the configuration last edited;
instants before the anchor simply fall in negative shift numbers.

There are two kinds of rotation, because "a day" and "24 hours" differ on the days clocks change:

- **Calendar rotations**, whose period is a whole number of days (``daily``, ``weekly``, or a
  duration such as ``1d``, ``2d``, ``14d``): every boundary is at the handoff's wall-clock time in
  the zone, ``period.days`` calendar days apart. A weekly shift across a daylight-saving change
  lasts 167 or 169 real hours, and a 09:00 handoff stays at 09:00 local all year.
- **Elapsed-time rotations** (``hourly`` and every other duration, such as ``12h`` or ``90m``):
  boundaries are every ``period`` of real elapsed time from the anchor, so every shift lasts
  exactly ``period``. Across a daylight-saving change their local times move by the change (a 12h
  rotation anchored at 09:00 CET hands off at 10:00 and 22:00 in CEST summer time).

**Local times that do not exist or exist twice** are read by ``bot.core.calendar.to_utc`` (zoneinfo's
``fold=0``: an ambiguous time (02:30 on the night clocks go back) is its *first* occurrence, in summer
time; a time in the gap (02:30 on the night clocks go forward) is moved past it by its length, 02:30 →
03:30). The same rule serves handoffs, layers' hours and the dates people type (``bot.core.when``).

Which layer covers an instant, overrides and time off are ``bot.paging.layers``'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.config import RotationConfig
from bot.core.calendar import local_day, local_time

EPOCH = date(2024, 1, 1)
"""Shift 0 starts at the first handoff on or after this local date (a Monday)."""

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Shift:
    """One regular shift of the rotation, ``[start, end)`` in UTC; ``number`` counts from the anchor."""

    start: datetime
    end: datetime
    user: str
    number: int = 0


# --- time zone helpers ---------------------------------------------------------------------------


def aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at!r}: pass an aware datetime")
    return at.astimezone(timezone.utc)


# --- regular shifts ------------------------------------------------------------------------------


def is_calendar(schedule: RotationConfig) -> bool:
    """True when boundaries keep the handoff's wall-clock time (a period of whole days)."""
    period = schedule.period
    return period >= _DAY and period % _DAY == timedelta(0)


def anchor_date(schedule: RotationConfig) -> date:
    """The local date of the first handoff (shift 0)."""
    weekday = schedule.handoff.weekday
    return EPOCH + timedelta(days=0 if weekday is None else (weekday - EPOCH.weekday()) % 7)


def boundary(schedule: RotationConfig, tz: ZoneInfo, number: int) -> datetime:
    """When shift ``number`` starts, in UTC."""
    if is_calendar(schedule):
        day = anchor_date(schedule) + timedelta(days=number * schedule.period.days)
        return local_time(day, schedule.handoff.at, tz)
    return _anchor(schedule, tz) + number * schedule.period


def _anchor(schedule: RotationConfig, tz: ZoneInfo) -> datetime:
    return local_time(anchor_date(schedule), schedule.handoff.at, tz)


def shift_number(schedule: RotationConfig, tz: ZoneInfo, at: datetime) -> int:
    """The number of the shift containing ``at``."""
    at = aware(at)
    if not is_calendar(schedule):
        return (at - _anchor(schedule, tz)) // schedule.period
    # A first guess from the local date, then a step or two to cover the hours before the handoff.
    days = (local_day(at, tz) - anchor_date(schedule)).days
    number = days // schedule.period.days
    while boundary(schedule, tz, number) > at:
        number -= 1
    while boundary(schedule, tz, number + 1) <= at:
        number += 1
    return number


def _shift(schedule: RotationConfig, tz: ZoneInfo, number: int, start: datetime | None = None) -> Shift:
    """Shift ``number``; ``start``, when the caller has it (the end of the shift before), is not worked out again."""
    members = schedule.members
    return Shift(
        start=boundary(schedule, tz, number) if start is None else start,
        end=boundary(schedule, tz, number + 1),
        user=members[number % len(members)],
        number=number,
    )


def shift_at(schedule: RotationConfig, tz: ZoneInfo, at: datetime) -> Shift:
    """The regular shift containing ``at`` (``start <= at < end``), overrides ignored."""
    return _shift(schedule, tz, shift_number(schedule, tz, at))


def shifts_between(schedule: RotationConfig, tz: ZoneInfo, start: datetime, end: datetime) -> list[Shift]:
    """The regular shifts overlapping ``[start, end)``, in order (whole shifts, not clipped)."""
    start, end = aware(start), aware(end)
    shifts: list[Shift] = []
    number = shift_number(schedule, tz, start)
    opens = None
    while True:
        shift = _shift(schedule, tz, number, opens)
        if shift.start >= end and shifts:
            return shifts
        if shift.end > shift.start:  # a whole skipped day (Pacific/Apia, 2011) makes an empty shift
            shifts.append(shift)
        number, opens = number + 1, shift.end
