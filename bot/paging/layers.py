"""Layered schedules: who is on call at an instant, and the shifts over a range, from the layers,
their hours, the overrides and time off. Pure functions: no database, clock or Slack.

A schedule is a list of layers (``schedules.<name>.layers``; a ``rotation``/``handoff``/``members``
schedule is one layer). Each layer is a rotation (``bot.paging.rotation``: shift arithmetic,
daylight saving) read in the layer's own zone, restricted to its ``hours``. At an instant:

1. an override covering it wins (among several, the latest created; for equal times, the later in
   the list), whatever the layers say;
2. else the **last** layer that covers it: its hours cover the instant (a layer without hours covers
   all of it), and the shift's member is on call there or, when that member is away, the next member
   of the layer (in the order of ``members``) who is not; a layer whose members are all away there
   covers nothing;
3. else nobody: a **gap**.

**Hours.** The day ``d`` of ``hours.days`` opens a window from ``d`` at ``start`` to ``end`` that day,
or the next day when ``end`` is not after ``start`` (the hours cross midnight), both read in the zone
as handoffs are (``calendar.to_utc``). Windows are the one rule: "covers" is "inside a window".

**Cost.** ``who_at`` is constant time in the length of the schedule's history (a shift number is
arithmetic), linear in its layers, members, overrides and time off in force. ``shifts`` and ``gaps``
over a range evaluate ``who_at`` once per point where anything may change (a shift boundary, an edge of
a layer's hours, an override or a stretch of time off).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import HoursConfig, LayerConfig, ScheduleConfig
from bot.core.calendar import local_time
from bot.paging import rotation

_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)


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
class Away:
    """``user`` is off over ``[start, end)``: their shifts then go to the next member who is not."""

    user: str
    start: datetime
    end: datetime
    id: int | None = None


@dataclass(frozen=True)
class Layer:
    """A schedule's layer, its zone resolved."""

    name: str
    zone: ZoneInfo
    rotation: LayerConfig
    hours: HoursConfig | None


@dataclass(frozen=True)
class Rota:
    """Everything who is on call in one schedule depends on: its layers (first to last), the
    overrides (lowest precedence first) and each person's time off."""

    schedule: str
    layers: tuple[Layer, ...]
    overrides: tuple[OverrideSpan, ...] = ()
    away: Mapping[str, tuple[Away, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Shift:
    """Who is on call over ``[start, end)`` and why: ``layer`` names the layer (None under an
    override); ``covering`` is the member whose shift it was when someone took it for time off."""

    user: str
    start: datetime
    end: datetime
    layer: str | None
    override: OverrideSpan | None = None
    covering: str | None = None


@dataclass(frozen=True)
class Duty:
    """A stretch during which one person is on call (``user`` None: nobody, a gap), from the
    instant the person changed (``start``) to the next change (``end``); either is None when no
    change comes within the horizon (``horizon``). ``override`` is the one in force at the instant asked about."""

    user: str | None
    start: datetime | None
    end: datetime | None
    override: OverrideSpan | None = None


@dataclass(frozen=True)
class _Cover:
    """Who ``who_at`` found, and from which rule."""

    user: str | None
    layer: str | None = None
    override: OverrideSpan | None = None
    covering: str | None = None


# --- building a rota ------------------------------------------------------------------------------


def layers_of(schedule: ScheduleConfig, default_zone: ZoneInfo) -> tuple[Layer, ...]:
    """A schedule's layers with their zones (``timezone`` for a layer that names none)."""
    return tuple(
        Layer(layer.name, ZoneInfo(layer.zone) if layer.zone else default_zone, layer, layer.hours)
        for layer in schedule.as_layers()
    )


def build_rota(name: str, schedule: ScheduleConfig, default_zone: ZoneInfo,
               overrides: Iterable[OverrideSpan] = (), away: Iterable[Away] = ()) -> Rota:
    """A schedule with its overrides and time off, ready for ``who_at``, ``shifts`` and ``on_call``."""
    aware = rotation.aware
    spans = [replace(o, start=aware(o.start), end=aware(o.end), created=aware(o.created)) for o in overrides]
    by_person: dict[str, list[Away]] = {}
    for stretch in away:
        if stretch.end > stretch.start:
            by_person.setdefault(stretch.user, []).append(replace(stretch, start=rotation.aware(stretch.start),
                                                                   end=rotation.aware(stretch.end)))
    return Rota(
        schedule=name,
        layers=layers_of(schedule, default_zone),
        overrides=tuple(sorted((s for s in spans if s.end > s.start), key=lambda s: s.created)),
        away={user: tuple(sorted(spans, key=lambda a: a.start)) for user, spans in by_person.items()},
    )


def only_layer(rota: Rota, name: str) -> Rota:
    """The rota of one layer alone, time off applied and overrides not: that layer's row of a calendar."""
    return replace(rota, layers=tuple(layer for layer in rota.layers if layer.name == name), overrides=())


# --- hours ----------------------------------------------------------------------------------------


def _window(layer: Layer, day) -> tuple[datetime, datetime]:
    """The window that ``day`` (a local date in ``layer.hours.days``) opens, in UTC."""
    hours = layer.hours
    ends_on = day if hours.end > hours.start else day + _DAY
    return (local_time(day, hours.start, layer.zone), local_time(ends_on, hours.end, layer.zone))


def covers(layer: Layer, at: datetime) -> bool:
    """True when ``at`` is inside the layer's hours (always, for a layer without hours)."""
    if layer.hours is None:
        return True
    today = at.astimezone(layer.zone).date()
    for day in (today - _DAY, today):
        if day.weekday() in layer.hours.days:
            start, end = _window(layer, day)
            if start <= at < end:
                return True
    return False


# --- who is on call at an instant -----------------------------------------------------------------


def is_away(rota: Rota, user: str, at: datetime) -> bool:
    return any(stretch.start <= at < stretch.end for stretch in rota.away.get(user, ()))


def _layer_cover(rota: Rota, layer: Layer, at: datetime) -> _Cover | None:
    if not covers(layer, at):
        return None
    shift = rotation.shift_at(layer.rotation, layer.zone, at)
    members = layer.rotation.members
    for step in range(len(members)):
        user = members[(shift.number + step) % len(members)]
        if not is_away(rota, user, at):
            return _Cover(user, layer.name, covering=shift.user if user != shift.user else None)
    return None


def _override_at(rota: Rota, at: datetime) -> _Cover | None:
    winner = None
    for span in rota.overrides:  # by precedence: the last covering one wins
        if span.start <= at < span.end:
            winner = span
    return None if winner is None else _Cover(winner.user, override=winner)


def _cover(rota: Rota, at: datetime) -> _Cover:
    if (overridden := _override_at(rota, at)) is not None:
        return overridden
    for layer in reversed(rota.layers):
        found = _layer_cover(rota, layer, at)
        if found is not None:
            return found
    return _Cover(None)


def who_at(rota: Rota, at: datetime) -> str | None:
    """The person on call at ``at``, or None in a gap. The pager's question, in constant time."""
    return _cover(rota, rotation.aware(at)).user


def covering_layer(rota: Rota, at: datetime) -> str | None:
    """The name of the layer whose member is on call at ``at`` (None under an override or in a gap)."""
    return _cover(rota, rotation.aware(at)).layer


# --- over a range ---------------------------------------------------------------------------------


def hours_windows(layer: Layer, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The layer's windows that overlap ``[start, end)``, in order (one all along for a layer without hours)."""
    if layer.hours is None:
        return [(start, end)]
    day = start.astimezone(layer.zone).date() - _DAY
    last = end.astimezone(layer.zone).date()
    windows = []
    while day <= last:
        if day.weekday() in layer.hours.days:
            opens, closes = _window(layer, day)
            if opens < end and closes > start:
                windows.append((opens, closes))
        day += _DAY
    return windows


class _Sweep:
    """One layer read at ascending instants: its shifts and windows over the range are computed once,
    and each instant advances a pointer instead of doing the arithmetic again (what ``_layer_cover`` does)."""

    def __init__(self, layer: Layer, start: datetime, end: datetime) -> None:
        self.layer = layer
        self.shifts = rotation.shifts_between(layer.rotation, layer.zone, start, end)
        self.windows = hours_windows(layer, start, end)
        self._shift = self._window = 0

    def cover(self, rota: Rota, at: datetime) -> _Cover | None:
        while self._window < len(self.windows) and self.windows[self._window][1] <= at:
            self._window += 1
        if self._window == len(self.windows) or self.windows[self._window][0] > at:
            return None
        while self.shifts[self._shift].end <= at:
            self._shift += 1
        shift, members = self.shifts[self._shift], self.layer.rotation.members
        for step in range(len(members)):
            user = members[(shift.number + step) % len(members)]
            if not is_away(rota, user, at):
                return _Cover(user, self.layer.name, covering=shift.user if user != shift.user else None)
        return None


def _stretches(rota: Rota, start: datetime, end: datetime) -> list[tuple[_Cover, datetime, datetime]]:
    """``[start, end)`` cut where the cover changes, gaps included, each piece with its cover: the rule of
    ``_cover``, evaluated at every instant where anything may change (shift boundaries, edges of hours,
    overrides and time off) by a sweep over each layer."""
    sweeps = [_Sweep(layer, start, end) for layer in rota.layers]
    points = {start}
    for sweep in sweeps:
        points.update(s.start for s in sweep.shifts if start < s.start < end)
        points.update(edge for window in sweep.windows for edge in window if start < edge < end)
    for span in (*rota.overrides, *(a for spans in rota.away.values() for a in spans)):
        points.update(p for p in (span.start, span.end) if start < p < end)
    ordered = sorted(points)
    pieces: list[tuple[_Cover, datetime, datetime]] = []
    for point, following in zip(ordered, [*ordered[1:], end], strict=True):
        cover = _override_at(rota, point)
        if cover is None:
            cover = next((c for sweep in reversed(sweeps) if (c := sweep.cover(rota, point)) is not None), _Cover(None))
        if pieces and pieces[-1][0] == cover:
            pieces[-1] = (cover, pieces[-1][1], following)
        else:
            pieces.append((cover, point, following))
    return pieces


def shifts(rota: Rota, start: datetime, end: datetime) -> list[Shift]:
    """Who is on call over ``[start, end)``, overrides and time off applied, in order and clipped to the
    range: one ``Shift`` per stretch of one person in one layer (or one override). Gaps are left out
    (``gaps``). The calendars, the gap check and the importer's comparison read this."""
    start, end = rotation.aware(start), rotation.aware(end)
    return [Shift(cover.user, a, b, cover.layer, cover.override, cover.covering)
            for cover, a, b in _stretches(rota, start, end) if cover.user is not None]


def gaps(rota: Rota, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The stretches of ``[start, end)`` when nobody is on call."""
    start, end = rotation.aware(start), rotation.aware(end)
    return [(a, b) for cover, a, b in _stretches(rota, start, end) if cover.user is None]


def horizon(rota: Rota) -> timedelta:
    """How far ``on_call`` looks for the next change: two whole cycles of the longest layer and a week
    (a layer's hours repeat weekly), past the last override or time off."""
    cycle = max(layer.rotation.period * len(layer.rotation.members) for layer in rota.layers)
    return 2 * cycle + timedelta(days=8)


def _change(rota: Rota, at: datetime, user: str | None, forward: bool) -> datetime | None:
    """The next (or, backwards, the latest) instant where the person on call changes from ``user``,
    looking ever further up to the horizon."""
    edges = [p for s in (*rota.overrides, *(a for v in rota.away.values() for a in v)) for p in (s.start, s.end)]
    reach = horizon(rota)
    if forward:
        limit = max([at, *edges]) + reach
    else:
        limit = min([at, *edges]) - reach
    window, scanned = _DAY, at  # each look goes on from where the one before stopped
    while True:
        if forward:
            edge = min(at + window, limit)
            for cover, a, _b in _stretches(rota, scanned, edge):
                if cover.user != user:
                    return a
        else:
            edge = max(at - window, limit)
            for cover, _a, b in reversed(_stretches(rota, edge, scanned)):
                if cover.user != user:
                    return b
        if edge == limit:
            return None
        window, scanned = window * 4, edge


def on_call(rota: Rota, at: datetime) -> Duty:
    """Who is on call at ``at`` (None: a gap), since when and until when, overrides and time off applied."""
    at = rotation.aware(at)
    cover = _cover(rota, at)
    return Duty(
        user=cover.user,
        start=_change(rota, at + _TICK, cover.user, forward=False),
        end=_change(rota, at, cover.user, forward=True),
        override=cover.override,
    )


def next_duty(rota: Rota, at: datetime) -> Duty | None:
    """Who takes over after the person on call at ``at`` (possibly nobody: a gap), and when;
    None when no change comes within the horizon."""
    current = on_call(rota, at)
    return None if current.end is None else on_call(rota, current.end)

