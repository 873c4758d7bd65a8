"""PagerDuty's REST API v2: users, schedules (layers, restrictions, final schedule), overrides, escalation
policies and services. ``Authorization: Token token=…``; ``offset``/``limit`` pages until ``more`` is false.

Layers: ``GET /schedules/{id}`` lists the highest layer first (the reverse of the order a PUT takes),
so they are read backwards into ours, where the later layer wins. A turn of whole days keeps its
wall-clock handoff across daylight-saving changes; any other turn lasts its seconds.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.importing.api import Api
from bot.importing.layers import windows_from_spans
from bot.importing.source import (
    Level,
    OverrideEntry,
    Person,
    Policy,
    Rotation,
    Schedule,
    Service,
    Source,
    SourceShift,
    Target,
)
from bot.importing.timeparse import iso, moment

BASE_URL = "https://api.pagerduty.com"
OVERRIDES_AHEAD = timedelta(days=365)


def api(token: str, url: str | None) -> Api:
    return Api(url or BASE_URL, {"Authorization": f"Token token={token}",
                                 "Accept": "application/vnd.pagerduty+json;version=2"},
               "PagerDuty", "use a REST API key (Integrations → API Access Keys), read-only is enough")


def read(client: Api, now: datetime, until: datetime) -> Source:
    source = Source("PagerDuty", client.base)
    for user in client.offset_pages("users", "users"):
        source.people[user["id"]] = Person(user["id"], user.get("name") or user["id"], user.get("email"))
    for listed in client.offset_pages("schedules", "schedules"):
        detail = client.get(f"schedules/{listed['id']}", {"since": iso(now), "until": iso(until), "time_zone": "UTC"})
        _schedule(source, detail["schedule"], now)
        overrides = client.get(f"schedules/{listed['id']}/overrides",
                               {"since": iso(now), "until": iso(now + OVERRIDES_AHEAD)})
        for override in overrides.get("overrides") or []:
            source.overrides.append(OverrideEntry(listed["id"], override["user"]["id"], moment(override["start"]),
                                                  moment(override["end"])))
    for policy in client.offset_pages("escalation_policies", "escalation_policies"):
        _policy(source, policy)
    for service in client.offset_pages("services", "services"):
        policy = service.get("escalation_policy") or {}
        source.services.append(Service(service["id"], service.get("name") or service["id"], policy.get("id"),
                                       service.get("description") or None))
    return source


def _schedule(source: Source, detail: dict, now: datetime) -> None:
    schedule = Schedule(detail["id"], detail.get("name") or detail["id"], detail.get("time_zone") or "UTC")
    source.schedules.append(schedule)
    for layer in reversed(detail.get("schedule_layers") or []):
        what = f'PagerDuty schedule "{schedule.name}", layer "{layer.get("name")}"'
        start, end = moment(layer["start"]), moment(layer["end"]) if layer.get("end") else None
        if end is not None and end <= now:
            source.notes.append(f"{what} ended {end:%Y-%m-%d}: nothing to carry over")
            continue
        if start > now:
            source.leave(what, f"starts {start:%Y-%m-%d %H:%M} UTC; a layer here applies at once, so it is not "
                               "imported: add it to the file when it begins")
            continue
        if end is not None:
            source.leave(what, f"ends {end:%Y-%m-%d %H:%M} UTC; a layer here does not end, so it goes on after that")
        windows = _windows(source, what, layer.get("restrictions") or [])
        turn = timedelta(seconds=int(layer["rotation_turn_length_seconds"]))
        schedule.rotations.append(Rotation(
            name=layer.get("name") or f"layer {len(schedule.rotations) + 1}", zone=schedule.zone,
            start=moment(layer["rotation_virtual_start"]), turn=turn, calendar=turn % timedelta(days=1) == timedelta(0),
            participants=[entry["user"]["id"] for entry in layer.get("users") or []], windows=windows,
        ))
    entries = ((detail.get("final_schedule") or {}).get("rendered_schedule_entries")) or []
    source.rendering[schedule.id] = [
        SourceShift(moment(e["start"]), moment(e["end"]), frozenset([e["user"]["id"]])) for e in entries if e.get("user")
    ]


def _windows(source: Source, what: str, restrictions: list[dict]):
    """Restrictions as weekly spans: a daily one on every day, a weekly one from its day (1 = Monday)."""
    spans = []
    for restriction in restrictions:
        hours, minutes, seconds = (int(part) for part in restriction["start_time_of_day"].split(":"))
        length = int(restriction["duration_seconds"])
        if seconds or length % 60:
            source.leave(f"{what}: restriction at {restriction['start_time_of_day']}",
                         "is not in whole minutes; rounded to the minute")
        start, length = hours * 60 + minutes, round(length / 60)
        if restriction["type"] == "daily_restriction":
            spans += [(day * 1440 + start, length) for day in range(7)]
        elif restriction["type"] == "weekly_restriction":
            spans.append(((int(restriction["start_day_of_week"]) - 1) * 1440 + start, length))
        else:
            source.leave(f"{what}: restriction {restriction['type']}", "is a kind of restriction this bot lacks; ignored")
    return windows_from_spans(spans) if spans else None


def _policy(source: Source, policy: dict) -> None:
    levels = []
    for number, rule in enumerate(policy.get("escalation_rules") or [], start=1):
        strategy = (rule.get("escalation_rule_assignment_strategy") or {}).get("type")
        if strategy == "round_robin":
            source.leave(f'PagerDuty escalation policy "{policy["name"]}", level {number}: round robin',
                         "here a level pages every target at once, not one in turn")
        targets = []
        for target in rule.get("targets") or []:
            kind = target["type"].removesuffix("_reference")
            if kind in ("user", "schedule"):
                targets.append(Target(kind, target["id"]))
            else:
                source.leave(f'PagerDuty escalation policy "{policy["name"]}", level {number}: {target["type"]} '
                             f'{target.get("summary") or target["id"]}', "is a kind of target this bot lacks; left out")
        delay = rule.get("escalation_delay_in_minutes")
        levels.append(Level(targets, timedelta(minutes=int(delay)) if delay else None))
    source.policies.append(Policy(policy["id"], policy.get("name") or policy["id"], levels,
                                  repeat=max(0, int(policy.get("num_loops") or 0))))
