"""Does the imported configuration mean what the source meant? Who is on call, hour by hour, both ways.

The answer here comes from the bot's own on-call engine (the configuration as loaded, with the
imported overrides), never from a second evaluator; the source's from its own rendering (PagerDuty's
final schedule, Opsgenie's timeline, Grafana OnCall's final shifts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import IncidentConfig
from bot.importing.mapping import ImportedOverride, Mapped
from bot.importing.source import Source, SourceShift
from bot.paging import layers
from bot.paging.layers import OverrideSpan

WINDOW = timedelta(days=14)
HOUR = timedelta(hours=1)
SHOWN = 3  # differences shown per schedule


@dataclass(frozen=True)
class Difference:
    at: datetime
    source: frozenset[str]  # Slack ids, or "name <e-mail>" for someone who has none
    here: frozenset[str]


@dataclass(frozen=True)
class Comparison:
    schedule: str
    hours: int
    differences: list[Difference]


def hours_ahead(now: datetime) -> list[datetime]:
    """Every whole hour of the next 14 days, from the next one."""
    first = now.replace(minute=0, second=0, microsecond=0) + HOUR
    return [first + HOUR * n for n in range(int(WINDOW / HOUR))]


def compare(source: Source, mapped: Mapped, config: IncidentConfig, slack: dict[str, str | None],
            now: datetime) -> list[Comparison]:
    results = []
    for schedule_id, name in mapped.schedule_names.items():
        shifts = source.rendering.get(schedule_id, [])
        spans = _spans([o for o in mapped.overrides if o.schedule == name], now)
        rota = layers.build_rota(name, config.schedules[name], config.tz, overrides=spans)
        differences = []
        moments = hours_ahead(now)
        for at in moments:
            theirs = frozenset(_label(source, slack, user) for user in _covering(shifts, at))
            here = on_call_here(rota, at)
            ours = frozenset([here] if here else [])
            if theirs != ours:
                differences.append(Difference(at, theirs, ours))
        results.append(Comparison(name, len(moments), differences))
    return results


def on_call_here(rota: layers.Rota, at: datetime) -> str | None:
    """Who the bot says is on call at ``at``; None in a gap."""
    return layers.who_at(rota, at)


def _spans(overrides: list[ImportedOverride], now: datetime) -> list[OverrideSpan]:
    """The imported overrides as the database will hold them: created in this order, so a later one wins."""
    return [OverrideSpan(user=o.user, start=o.start, end=o.end, created=now + timedelta(microseconds=index))
            for index, o in enumerate(overrides)]


def _covering(shifts: list[SourceShift], at: datetime) -> set[str]:
    return {user for shift in shifts if shift.start <= at < shift.end for user in shift.users}


def _label(source: Source, slack: dict[str, str | None], user: str) -> str:
    """``U01ALICE`` for someone found in Slack (``describe`` adds the name); else their name and e-mail."""
    if slack.get(user):
        return slack[user]
    person = source.people.get(user)
    return f"{person.name} <{person.email}>" if person else user


def describe(result: Comparison, zone, names: dict[str, str]) -> list[str]:
    """One line when identical; else the count and the first few differences, in ``zone``; ``names`` by Slack id."""
    days = result.hours // 24
    if not result.differences:
        return [f"{result.schedule}: {days} days compared hour by hour: identical"]
    lines = [f"{result.schedule}: {days} days compared hour by hour: {len(result.differences)} of {result.hours} "
             "hours differ, first:"]
    for difference in result.differences[:SHOWN]:
        lines.append(f"  {difference.at.astimezone(zone):%a %d %b %H:%M %Z}: the source says "
                     f"{_names(difference.source, names)}, here {_names(difference.here, names)}")
    return lines


def _names(people: frozenset[str], names: dict[str, str]) -> str:
    return " and ".join(sorted(f"{names[p]} ({p})" if p in names else p for p in people)) or "nobody"
