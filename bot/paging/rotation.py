"""On-call rotation arithmetic: pure functions of a schedule, a time zone and an aware instant.

No database, no clock, no Slack: the service (``bot.oncall``) loads overrides and passes them in.
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
``fold=0``: an ambiguous time is its first occurrence, a time in the gap is moved past it by its
length); the same rule serves handoffs and the ``until fri 18:00`` of overrides.

**Overrides** (``OverrideSpan``) put someone on call over ``[start, end)``. Where several cover an
instant, the latest created wins (for equal ``created``, the later in the list). *Who is on call*
is then a sequence of ``Duty`` stretches: a new one begins only where the person changes, at a
regular shift boundary or at an override's start or end. A boundary where the same person goes on
(their override covering their own shift, or a one-person rotation) is no handoff, so a schedule
whose members are all one person has no handoff at all (``start``/``end`` of ``None``).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.config import ScheduleConfig
from bot.core.calendar import local_time

EPOCH = date(2024, 1, 1)
"""Shift 0 starts at the first handoff on or after this local date (a Monday)."""

_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)  # the resolution of datetime: "just before" an instant


@dataclass(frozen=True)
class Shift:
    """One regular shift of the rotation, ``[start, end)`` in UTC; ``number`` counts from the anchor."""

    start: datetime
    end: datetime
    user: str
    number: int = 0


@dataclass(frozen=True)
class OverrideSpan:
    """Someone covering ``[start, end)``; among overlapping spans the latest ``created`` wins."""

    user: str
    start: datetime
    end: datetime
    created: datetime
    created_by: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Duty:
    """A stretch during which one person is on call, overrides applied.

    ``start`` is the handoff that put them on call, ``end`` the next one (when someone else takes
    over); either is ``None`` when the person does not change on that side (the members are all the
    same person, say). ``override`` is the override in force at the instant asked about, if any.
    """

    user: str
    start: datetime | None
    end: datetime | None
    override: OverrideSpan | None = None


# --- time zone helpers ---------------------------------------------------------------------------


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at!r}: pass an aware datetime")
    return at.astimezone(timezone.utc)


# --- regular shifts ------------------------------------------------------------------------------


def is_calendar(schedule: ScheduleConfig) -> bool:
    """True when boundaries keep the handoff's wall-clock time (a period of whole days)."""
    period = schedule.period
    return period >= _DAY and period % _DAY == timedelta(0)


def anchor_date(schedule: ScheduleConfig) -> date:
    """The local date of the first handoff (shift 0)."""
    weekday = schedule.handoff.weekday
    return EPOCH + timedelta(days=0 if weekday is None else (weekday - EPOCH.weekday()) % 7)


def boundary(schedule: ScheduleConfig, tz: ZoneInfo, number: int) -> datetime:
    """When shift ``number`` starts, in UTC."""
    if is_calendar(schedule):
        day = anchor_date(schedule) + timedelta(days=number * schedule.period.days)
        return local_time(day, schedule.handoff.at, tz)
    return _anchor(schedule, tz) + number * schedule.period


def _anchor(schedule: ScheduleConfig, tz: ZoneInfo) -> datetime:
    return local_time(anchor_date(schedule), schedule.handoff.at, tz)


def shift_number(schedule: ScheduleConfig, tz: ZoneInfo, at: datetime) -> int:
    """The number of the shift containing ``at``."""
    at = _aware(at)
    if not is_calendar(schedule):
        return (at - _anchor(schedule, tz)) // schedule.period
    # A first guess from the local date, then a step or two to cover the hours before the handoff.
    days = (at.astimezone(tz).date() - anchor_date(schedule)).days
    number = days // schedule.period.days
    while boundary(schedule, tz, number) > at:
        number -= 1
    while boundary(schedule, tz, number + 1) <= at:
        number += 1
    return number


def _shift(schedule: ScheduleConfig, tz: ZoneInfo, number: int) -> Shift:
    members = schedule.members
    return Shift(
        start=boundary(schedule, tz, number),
        end=boundary(schedule, tz, number + 1),
        user=members[number % len(members)],
        number=number,
    )


def shift_at(schedule: ScheduleConfig, tz: ZoneInfo, at: datetime) -> Shift:
    """The regular shift containing ``at`` (``start <= at < end``), overrides ignored."""
    return _shift(schedule, tz, shift_number(schedule, tz, at))


def shifts_between(schedule: ScheduleConfig, tz: ZoneInfo, start: datetime, end: datetime) -> list[Shift]:
    """The regular shifts overlapping ``[start, end)``, in order (whole shifts, not clipped)."""
    start, end = _aware(start), _aware(end)
    shifts: list[Shift] = []
    number = shift_number(schedule, tz, start)
    while True:
        shift = _shift(schedule, tz, number)
        if shift.start >= end and shifts:
            return shifts
        if shift.end > shift.start:  # a whole skipped day (Pacific/Apia, 2011) makes an empty shift
            shifts.append(shift)
        number += 1


def handoffs_between(schedule: ScheduleConfig, tz: ZoneInfo, start: datetime, end: datetime) -> list[Shift]:
    """The regular shifts starting in ``(start, end]``: the handoffs since ``start`` up to ``end``."""
    start, end = _aware(start), _aware(end)
    return [shift for shift in shifts_between(schedule, tz, start, end + _TICK) if start < shift.start <= end]


def _boundaries(schedule: ScheduleConfig, tz: ZoneInfo, at: datetime, forward: bool) -> Iterator[datetime]:
    """Regular boundaries after ``at`` ascending, or at or before ``at`` descending."""
    number = shift_number(schedule, tz, at) + (1 if forward else 0)
    step = 1 if forward else -1
    while True:
        yield boundary(schedule, tz, number)
        number += step


# --- overrides -----------------------------------------------------------------------------------


def _by_precedence(overrides: Iterable[OverrideSpan]) -> list[OverrideSpan]:
    """Lowest precedence first; ``sorted`` is stable, so list order breaks ties in ``created``."""
    spans = [
        replace(o, start=_aware(o.start), end=_aware(o.end), created=_aware(o.created)) for o in overrides
    ]
    return sorted((s for s in spans if s.end > s.start), key=lambda s: s.created)


def _who(schedule: ScheduleConfig, tz: ZoneInfo, spans: Sequence[OverrideSpan], at: datetime) -> tuple[str, OverrideSpan | None]:
    winner = None
    for span in spans:  # by precedence: the last covering one wins
        if span.start <= at < span.end:
            winner = span
    if winner is not None:
        return winner.user, winner
    return shift_at(schedule, tz, at).user, None


def _change(schedule: ScheduleConfig, tz: ZoneInfo, spans: Sequence[OverrideSpan], at: datetime,
            user: str, forward: bool) -> datetime | None:
    """The next (or, backwards, the latest) instant where the person on call changes from ``user``.

    Walking boundaries in order, a change is found or, once past every override's start and end,
    a whole cycle of the rotation (``len(members)`` boundaries) goes by without one: then the
    rotation alone never changes the person, and there is none.
    """
    if forward:
        points = sorted({p for s in spans for p in (s.start, s.end) if p > at})
        merged = heapq.merge(points, _boundaries(schedule, tz, at, True))
        past_overrides = (lambda p: p > points[-1]) if points else (lambda p: True)
    else:
        points = sorted({p for s in spans for p in (s.start, s.end) if p <= at}, reverse=True)
        merged = heapq.merge(points, _boundaries(schedule, tz, at, False), reverse=True)
        past_overrides = (lambda p: p < points[-1]) if points else (lambda p: True)
    previous = None
    regular_left = len(schedule.members)
    for point in merged:
        if point == previous:
            continue
        previous = point
        # Forward, the stretch starting at point; backward, the one ending at point.
        if _who(schedule, tz, spans, point if forward else point - _TICK)[0] != user:
            return point
        if past_overrides(point):
            regular_left -= 1
            if regular_left < 0:
                return None
    raise AssertionError("unreachable: the boundaries never end")


def on_call(schedule: ScheduleConfig, tz: ZoneInfo, overrides: Iterable[OverrideSpan], at: datetime) -> Duty:
    """Who is on call at ``at``, overrides applied, since when and until when."""
    at = _aware(at)
    spans = _by_precedence(overrides)
    user, override = _who(schedule, tz, spans, at)
    return Duty(
        user=user,
        start=_change(schedule, tz, spans, at, user, forward=False),
        end=_change(schedule, tz, spans, at, user, forward=True),
        override=override,
    )


def next_duty(schedule: ScheduleConfig, tz: ZoneInfo, overrides: Iterable[OverrideSpan], at: datetime) -> Duty | None:
    """Who takes over after the person on call at ``at``, and when; ``None`` if nobody ever does."""
    overrides = list(overrides)
    current = on_call(schedule, tz, overrides, at)
    return None if current.end is None else on_call(schedule, tz, overrides, current.end)


def duties_between(schedule: ScheduleConfig, tz: ZoneInfo, overrides: Iterable[OverrideSpan],
                   start: datetime, end: datetime) -> list[Duty]:
    """The handoffs in ``(start, end]``, overrides applied: each ``Duty`` starts at one."""
    start, end = _aware(start), _aware(end)
    overrides = list(overrides)
    duties = []
    duty = on_call(schedule, tz, overrides, start)
    while duty.end is not None and duty.end <= end:
        duty = on_call(schedule, tz, overrides, duty.end)
        duties.append(duty)
    return duties

