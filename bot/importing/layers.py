"""A source's rotation as one of our layers: rotation, handoff, members in the order that keeps who is on when.

Our rotations have no start date: shift ``n`` of a layer belongs to ``members[n % len(members)]``,
counting from a fixed anchor (``bot.paging.rotation``). So the source's phase goes into the handoff
and the *order* of the members: the handoff is chosen so that the source's turn boundaries are ours
(asked of the engine itself, never re-derived here), then the members are turned so that the source's
participant 0 owns the shift that starts at the source's ``start``. A turn of several days that no
handoff can align (a two-week turn whose weeks fall on the other parity) becomes a weekly or daily
rotation where each person appears once per week or day of their turn: the same people, at the same
times. Restrictions become ``hours``; a restriction that one ``hours`` window cannot say (Mon 09:00
to Fri 18:00 in one block) becomes several layers with the same rotation, one per window shape
(a whole day is two: 00:00-12:00 and 12:00-00:00, as a window ends before it starts again).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import ScheduleConfig
from bot.config.schema import Handoff
from bot.core.calendar import WEEKDAYS
from bot.importing.source import Rotation, Window
from bot.paging import rotation as engine

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
DAY_NAMES = tuple(day[:3] for day in WEEKDAYS)  # as the file writes them: mon-fri
_PLACEHOLDER = "U0PHASE00"  # the engine only needs as many members as the rotation has


@dataclass(frozen=True)
class Phased:
    """Our rotation for a source rotation: ``members`` are the source's participant ids, turned into phase."""

    rotation: str
    handoff: Handoff
    members: list[str]


def phase(rot: Rotation) -> Phased | None:
    """Our rotation, handoff and member order for ``rot``; None when no handoff lines its turns up with ours."""
    tz = ZoneInfo(rot.zone)
    if rot.calendar:
        days = rot.turn.days
        options = [(days, 1)]
        if days > 7:
            options.append((7, days // 7) if days % 7 == 0 else (1, days))
        for period_days, repeat in options:
            found = _aligned(rot, tz, timedelta(days=period_days), repeat, _calendar_handoffs(rot, tz, period_days))
            if found:
                return found
        return None
    return _aligned(rot, tz, rot.turn, 1, _elapsed_handoffs(rot, tz))


def _calendar_handoffs(rot: Rotation, tz: ZoneInfo, period_days: int) -> list[Handoff]:
    """A weekly rotation reads best with its day ("mon 09:00"), a daily one without ("09:00")."""
    local = rot.start.astimezone(tz)
    at = local.time().replace(tzinfo=None)
    days = [local.weekday(), *(day for day in range(7) if day != local.weekday())]
    return [Handoff(day, at) for day in days] if period_days % 7 == 0 else [Handoff(None, at), *(Handoff(d, at) for d in days)]


def _elapsed_handoffs(rot: Rotation, tz: ZoneInfo) -> list[Handoff]:
    """The handoff whose anchor is ``start`` minus whole turns: found from the engine's midnight anchor."""
    midnight = _config(rot.turn, Handoff(None, time(0)), 1)
    anchor = engine.boundary(midnight, tz, 0)
    offset = (rot.start - anchor) % rot.turn
    if offset >= WEEK:
        return []
    clock = (datetime.combine(date(2024, 1, 1), time(0)) + (offset % DAY)).time()
    return [Handoff(offset.days if offset >= DAY else None, clock)]


def _aligned(rot: Rotation, tz: ZoneInfo, period: timedelta, repeat: int, handoffs: list[Handoff]) -> Phased | None:
    expanded = [person for person in rot.participants for _ in range(repeat)]
    for handoff in handoffs:
        config = _config(period, handoff, len(expanded))
        number = engine.shift_number(config, tz, rot.start)
        if engine.boundary(config, tz, number) == rot.start:
            members = [expanded[(index - number) % len(expanded)] for index in range(len(expanded))]
            return Phased(rotation_text(period), handoff, members)
    return None


def _config(period: timedelta, handoff: Handoff, count: int) -> ScheduleConfig:
    return ScheduleConfig(rotation=period, handoff=handoff, members=[_PLACEHOLDER] * count)


def rotation_text(period: timedelta) -> str:
    named = {timedelta(hours=1): "hourly", DAY: "daily", WEEK: "weekly"}
    return named.get(period) or duration_text(period)


def duration_text(td: timedelta) -> str:
    """A duration as the configuration file writes it: 5m, 1h30m, 14d."""
    rest = int(td.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        amount, rest = divmod(rest, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts) or "0m"


def handoff_text(handoff: Handoff) -> str:
    clock = f"{handoff.at:%H:%M}"
    return clock if handoff.weekday is None else f"{DAY_NAMES[handoff.weekday]} {clock}"


# --- restrictions --------------------------------------------------------------------------------

MINUTES_A_WEEK = 7 * 24 * 60


def windows_from_spans(spans: list[tuple[int, int]]) -> list[Window] | None:
    """Weekly spans (minutes from Monday 00:00, ``[start, start + length)``, wrapping at the week's end)
    as ``Window``s, each at most one per distinct start and end time; None when the spans cover the whole week."""
    covered = _merge(spans)
    if covered == [(0, MINUTES_A_WEEK)]:
        return None
    pieces: list[tuple[int, int, int]] = []  # (day, start minute, end minute), end in (start, start + 1440]
    for start, end in covered:
        if end - start < 1440:  # under a day: one window, crossing midnight if it must
            pieces.append(((start // 1440) % 7, start % 1440, start % 1440 + end - start))
            continue
        cursor = start
        while cursor < end:  # a day or more: up to midnight, whole days (as two halves), then the rest
            stop = min(end, (cursor // 1440 + 1) * 1440)
            if stop - cursor == 1440:  # a window may not last 24 hours (its end would be its start)
                pieces += [((cursor // 1440) % 7, 0, 720), ((cursor // 1440) % 7, 720, 1440)]
            else:
                pieces.append(((cursor // 1440) % 7, cursor % 1440, cursor % 1440 + stop - cursor))
            cursor = stop
    shapes: dict[tuple[int, int], set[int]] = defaultdict(set)
    for day, start, end in pieces:
        shapes[(start, end)].add(day)
    return [
        Window(tuple(sorted(days)), _clock(start), _clock(end % 1440))
        for (start, end), days in sorted(shapes.items(), key=lambda item: (min(item[1]), item[0]))
    ]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans as sorted, disjoint ``[start, end)`` within one week (a span past the week's end wraps to Monday)."""
    flat = []
    for start, length in spans:
        start %= MINUTES_A_WEEK
        length = min(length, MINUTES_A_WEEK)
        if start + length > MINUTES_A_WEEK:
            flat += [(start, MINUTES_A_WEEK), (0, start + length - MINUTES_A_WEEK)]
        else:
            flat.append((start, start + length))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(flat):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    if len(merged) > 1 and merged[0][0] == 0 and merged[-1][1] == MINUTES_A_WEEK:
        merged[-1] = (merged[-1][0], MINUTES_A_WEEK + merged[0][1])  # Sunday night into Monday is one span
        merged.pop(0)
    return merged


def _clock(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def days_text(days: tuple[int, ...]) -> str | list[str]:
    """mon-fri for a run of days, else the list of them."""
    if len(days) > 1 and list(days) == list(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]}"
    return [DAY_NAMES[day] for day in days]
