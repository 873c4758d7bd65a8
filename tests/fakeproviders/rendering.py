"""How the fake pagers work out who is on call: a small model of each service's documented rules,
written from their documentation and independent of the bot's engine (the importer's comparison is
only worth something if the two are not the same code).

A layer is turns of ``turn`` from ``start`` over ``users`` (a calendar turn counts wall-clock time in
``zone``, others elapsed time), limited to weekly ``spans`` (minutes from Monday 00:00 in ``zone``,
start and length). ``final`` samples every half hour and merges the samples into entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

STEP = timedelta(minutes=30)
WEEK_MINUTES = 7 * 24 * 60


@dataclass
class Layer:
    start: datetime
    turn: timedelta
    users: list[str]
    zone: str = "UTC"
    calendar: bool = True
    spans: list[tuple[int, int]] | None = None  # None: always
    begins: datetime | None = None  # the layer applies from here (PagerDuty's ``start``)
    ends: datetime | None = None

    def who(self, at: datetime) -> str | None:
        if (self.begins and at < self.begins) or (self.ends and at >= self.ends) or not self.users:
            return None
        tz = ZoneInfo(self.zone)
        local = at.astimezone(tz)
        if self.spans is not None:
            minute = local.weekday() * 1440 + local.hour * 60 + local.minute
            if not any((minute - start) % WEEK_MINUTES < length for start, length in self.spans):
                return None
        if self.calendar:
            elapsed = local.replace(tzinfo=None) - self.start.astimezone(tz).replace(tzinfo=None)
        else:
            elapsed = at - self.start
        return self.users[(elapsed // self.turn) % len(self.users)]


@dataclass
class Cover:
    """An override (or a single event): ``user`` over ``[start, end)``; a later one wins."""

    user: str
    start: datetime
    end: datetime


def on_call(layers: list[Layer], covers: list[Cover], at: datetime, *, everyone: bool = False) -> list[str]:
    """Who is on call at ``at``: the latest cover, else the last layer that covers (every covering layer's
    person when ``everyone``: Opsgenie notifies all of overlapping rotations)."""
    for cover in reversed(covers):
        if cover.start <= at < cover.end:
            return [cover.user]
    found = [user for user in (layer.who(at) for layer in layers) if user]
    return list(dict.fromkeys(found)) if everyone else found[-1:]


def final(layers: list[Layer], covers: list[Cover], since: datetime, until: datetime,
          *, everyone: bool = False) -> list[tuple[datetime, datetime, str]]:
    """``(start, end, user)`` entries over ``[since, until)``: one per stretch a person is on call."""
    entries: list[list] = []
    at = since
    while at < until:
        for user in on_call(layers, covers, at, everyone=everyone):
            open_entry = next((e for e in entries if e[2] == user and e[1] == at), None)
            if open_entry:
                open_entry[1] = at + STEP
            else:
                entries.append([at, at + STEP, user])
        at += STEP
    return [(start, min(end, until), user) for start, end, user in entries]


def utc(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def iso(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
