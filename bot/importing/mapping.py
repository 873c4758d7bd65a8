"""A ``Source`` as the configuration this bot reads: schedules (layers, hours), escalation policies, services.

People become Slack ids (a person without one is listed and left out); every construct that does not
carry over is added to the leftovers with its name and why, never skipped without a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from bot.importing.layers import days_text, duration_text, handoff_text, phase
from bot.importing.source import Leftover, Policy, Rotation, Schedule, Source, Target


@dataclass(frozen=True)
class ImportedOverride:
    schedule: str
    user: str
    start: datetime
    end: datetime


@dataclass
class Mapped:
    schedules: dict[str, dict] = field(default_factory=dict)
    escalation_policies: dict[str, dict] = field(default_factory=dict)
    services: dict[str, dict] = field(default_factory=dict)
    overrides: list[ImportedOverride] = field(default_factory=list)
    schedule_names: dict[str, str] = field(default_factory=dict)  # source id -> our name
    leftovers: list[Leftover] = field(default_factory=list)

    def leave(self, what: str, why: str) -> None:
        self.leftovers.append(Leftover(what, why))


def slug(name: str, taken: set[str]) -> str:
    """A configuration name for ``name`` (lowercase, digits, - and _), unique among ``taken``."""
    base = re.sub(r"[^a-z0-9_]+", "-", name.lower()).strip("-_") or "imported"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


def referenced_people(source: Source) -> set[str]:
    """The source ids of everyone a schedule, policy or override ahead names: the only ones looked up in Slack."""
    ids = {p for schedule in source.schedules for rot in schedule.rotations for p in rot.participants}
    ids |= {t.id for policy in source.policies for level in policy.levels for t in level.targets if t.kind == "user"}
    ids |= {o.user_id for o in source.overrides}
    return ids


def build(source: Source, slack: dict[str, str | None], timezone: str, now: datetime) -> Mapped:
    """Our configuration for ``source``, its people as ``slack`` found them; schedules before the policies
    that page them, policies before the services that use them."""
    mapped = Mapped(leftovers=list(source.leftovers))
    _people(source, slack, mapped)
    taken: set[str] = set()
    for schedule in source.schedules:
        _schedule(source, schedule, slack, timezone, mapped, taken)
    policy_names: dict[str, str] = {}
    taken = set()
    for policy in source.policies:
        name = _policy(source, policy, slack, mapped, taken)
        if name:
            policy_names[policy.id] = name
    _services(source, policy_names, mapped)
    _overrides(source, slack, mapped, now)
    return mapped


def _services(source: Source, policy_names: dict[str, str], mapped: Mapped) -> None:
    taken: set[str] = set()
    for service in source.services:
        what = f'{source.kind} service "{service.name}"'
        if service.policy_id is None:
            mapped.leave(what, "uses no escalation policy; not imported")
        elif service.policy_id not in policy_names:
            mapped.leave(what, "its escalation policy was not imported (see above); not imported")
        else:
            entry: dict = {"escalation_policy": policy_names[service.policy_id]}
            if service.description:
                entry["description"] = service.description
            mapped.services[slug(service.name, taken)] = entry


def _overrides(source: Source, slack: dict[str, str | None], mapped: Mapped, now: datetime) -> None:
    for override in source.overrides:
        if override.end <= now:
            continue
        user, schedule = slack.get(override.user_id), mapped.schedule_names.get(override.schedule_id)
        what = f"{source.kind} override {override.start:%Y-%m-%d %H:%M}–{override.end:%Y-%m-%d %H:%M} UTC"
        if schedule is None:
            mapped.leave(what, "its schedule was not imported; not carried")
        elif user is None:
            mapped.leave(what, f"{_who(source, override.user_id)} has no Slack account; not carried")
        else:
            mapped.overrides.append(ImportedOverride(schedule, user, override.start, override.end))


def _people(source: Source, slack: dict[str, str | None], mapped: Mapped) -> None:
    for person_id in sorted(p for p, found in slack.items() if found is None):
        person = source.people.get(person_id)
        if person is None:
            mapped.leave(f"{source.kind} user {person_id}", "is named but not among the users the API listed; left out")
        elif not person.email:
            mapped.leave(f"{source.kind} user {person.name}", "has no e-mail to find them in Slack by; left out")
        else:
            mapped.leave(f"{source.kind} user {person.name} <{person.email}>",
                         "has no active Slack account with this e-mail; left out of every rotation and policy")


def _who(source: Source, person_id: str) -> str:
    person = source.people.get(person_id)
    return f"{person.name} <{person.email}>" if person and person.email else person_id


def _schedule(source: Source, schedule: Schedule, slack: dict[str, str | None], timezone: str,
              mapped: Mapped, taken: set[str]) -> None:
    what = f'{source.kind} schedule "{schedule.name}"'
    layers: list[dict] = []
    layer_names: set[str] = set()
    for rot in schedule.rotations:
        layers += _layers(source, schedule, rot, slack, mapped, layer_names)
    if not layers:
        mapped.leave(what, "has no layer that could be carried over; not imported")
        return
    name = slug(schedule.name, taken)
    mapped.schedule_names[schedule.id] = name
    only = layers[0]
    if len(layers) == 1 and "hours" not in only and only["zone"] == timezone:
        mapped.schedules[name] = {key: only[key] for key in ("rotation", "handoff", "members")}
    else:
        mapped.schedules[name] = {"layers": layers}


def _layers(source: Source, schedule: Schedule, rot: Rotation, slack: dict[str, str | None],
            mapped: Mapped, names: set[str]) -> list[dict]:
    what = f'{source.kind} schedule "{schedule.name}", layer "{rot.name}"'
    phased = phase(rot)
    if phased is None:
        mapped.leave(what, f"its turns of {duration_text(rot.turn)} from {rot.start:%Y-%m-%d %H:%M %Z} line up with "
                           "no handoff here; not imported")
        return []
    members = [slack[p] for p in phased.members if slack.get(p)]
    if not members:
        mapped.leave(what, "has nobody with a Slack account; not imported")
        return []
    base = {"zone": rot.zone, "rotation": phased.rotation, "handoff": handoff_text(phased.handoff), "members": members}
    if rot.windows is None:
        return [{"name": slug(rot.name, names), **base}]
    return [
        {"name": slug(rot.name, names), **base,
         "hours": _hours(window)}
        for window in rot.windows
    ]


def _hours(window) -> dict:
    """A window as ``hours``; ``days`` left out when it is every day (the default)."""
    days = {} if len(window.days) == 7 else {"days": days_text(window.days)}
    return {**days, "start": f"{window.start:%H:%M}", "end": f"{window.end:%H:%M}"}


def _policy(source: Source, policy: Policy, slack: dict[str, str | None], mapped: Mapped, taken: set[str]) -> str | None:
    what = f'{source.kind} escalation policy "{policy.name}"'
    levels: list[dict] = []
    for number, level in enumerate(policy.levels, start=1):
        notify = []
        for target in level.targets:
            entry = _target(source, target, slack, mapped)
            if entry is None:
                mapped.leave(f"{what}, level {number}: {_target_name(source, target)}",
                             "is not imported (see above); left out of the level")
            else:
                notify.append(entry)
        if not notify:
            mapped.leave(f"{what}, level {number}", "notifies nobody who was imported; the level is left out")
            continue
        levels.append({"notify": notify})
        if level.escalate_after:
            levels[-1]["escalate_after"] = duration_text(level.escalate_after)
    if not levels:
        mapped.leave(what, "has no level left to page; not imported")
        return None
    for level in levels[:-1]:
        level.setdefault("escalate_after", "1m")  # a level dropped above left it none; the next one pages soon
    entry: dict = {"levels": levels}
    if policy.repeat:
        entry["repeat"] = policy.repeat
    name = slug(policy.name, taken)
    mapped.escalation_policies[name] = entry
    return name


def _target(source: Source, target: Target, slack: dict[str, str | None], mapped: Mapped) -> dict | None:
    if target.kind == "user":
        user = slack.get(target.id)
        return {"user": user} if user else None
    name = mapped.schedule_names.get(target.id)
    return {"schedule": name} if name else None


def _target_name(source: Source, target: Target) -> str:
    if target.kind == "user":
        return f"user {_who(source, target.id)}"
    names = {s.id: s.name for s in source.schedules}
    return f'schedule "{names.get(target.id, target.id)}"'

