"""Grafana OnCall's API v1: users, schedules and their on-call shifts, final shifts, escalation chains and
their steps, integrations and their routes. ``Authorization: <token>``; lists page by a ``next`` URL.

A shift's users take turns one occurrence (``frequency`` × ``interval``) each, from ``start`` in its
zone; each occurrence lasts ``duration``; ``by_day`` limits a weekly rotation to those days, which
become ``hours`` here. A higher ``level`` wins, as a later layer does here. Override shifts become
overrides, and so do single events (a one-off stretch on call).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.importing.api import Api, ImportFailure
from bot.importing.layers import duration_text, windows_from_spans
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
from bot.importing.timeparse import moment

REPEATS = 5  # what a repeat_escalation step means: the chain again, five times at most
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_UNITS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(days=7)}
_NOTIFY = {"notify_persons": "persons_to_notify", "notify_on_call_from_schedule": "notify_on_call_from_schedule"}
_NO_EQUIVALENT = {
    "notify_person_next_each_time": "pages the next person each time (round robin); here a level pages all its targets",
    "notify_user_group": "a Slack user group here is named by its id: add it by hand as {usergroup: S…}",
    "notify_team_members": "a Grafana team has no equivalent here; name a Slack user group instead",
    "notify_whole_channel": "here pages go to people, not to a channel",
    "notify_if_time_from_to": "here a level cannot depend on the time of day",
    "notify_if_num_alerts_in_window": "here a level cannot depend on how many alerts came",
    "trigger_webhook": "here escalation only pages people",
    "trigger_action": "here escalation only pages people",
    "resolve": "here escalation never resolves an incident",
    "declare_incident": "here every page belongs to an incident already",
}


def api(token: str, url: str | None) -> Api:
    if not url:
        raise ImportFailure("--url is required for Grafana OnCall: your instance's base URL", status=2)
    base = url.rstrip("/")
    base = base if base.endswith("/api/v1") else base + "/api/v1"
    return Api(base + "/", {"Authorization": token}, "Grafana OnCall",
               "use an OnCall API token (OnCall → Settings → API tokens)")


def read(client: Api, now: datetime, until: datetime) -> Source:
    source = Source("Grafana OnCall", client.base)
    for user in client.next_pages("users/", "results"):
        source.people[user["id"]] = Person(user["id"], user.get("username") or user.get("email") or user["id"],
                                           user.get("email"))
    shifts = {shift["id"]: shift for shift in client.next_pages("on_call_shifts/", "results")}
    for data in client.next_pages("schedules/", "results"):
        if data.get("type") == "ical":
            source.leave(f'Grafana OnCall schedule "{data["name"]}"',
                         "is an iCal feed, not rotations; add it as layers by hand; not imported")
            continue
        own = [shifts[i] for i in data.get("shifts") or [] if i in shifts] or [
            shift for shift in shifts.values() if shift.get("schedule") == data["id"]]  # a web schedule's, by their side
        _schedule(source, data, own, now)
        final = client.next_pages(f"schedules/{data['id']}/final_shifts", "results",
                                  {"start_date": f"{now:%Y-%m-%d}", "end_date": f"{until + timedelta(days=1):%Y-%m-%d}"})
        source.rendering[data["id"]] = [
            SourceShift(moment(s["shift_start"]), moment(s["shift_end"]), frozenset([s["user_pk"]])) for s in final
        ]
    for chain in client.next_pages("escalation_chains/", "results"):
        steps = sorted(client.next_pages("escalation_policies/", "results", {"escalation_chain_id": chain["id"]}),
                       key=lambda step: step.get("position", 0))
        _chain(source, chain, steps)
    for integration in client.next_pages("integrations/", "results"):
        default = (integration.get("default_route") or {}).get("escalation_chain_id")
        for route in client.next_pages("routes/", "results", {"integration_id": integration["id"]}):
            if route.get("is_the_last_route"):
                continue
            kind = "Jinja2" if route.get("routing_type") == "jinja2" else "regex"
            source.leave(f'Grafana OnCall integration "{integration["name"]}", {kind} route '
                         f'{route.get("routing_regex")!r}',
                         "here a service always pages one escalation policy; only the default route was imported")
        source.services.append(Service(integration["id"], integration["name"], default))
    return source


def _schedule(source: Source, data: dict, shifts: list[dict], now: datetime) -> None:
    zone = data.get("time_zone") or "UTC"
    schedule = Schedule(data["id"], data["name"], zone)
    source.schedules.append(schedule)
    ordered = sorted((s for s in shifts if s.get("type") in ("rolling_users", "recurrent_event")),
                     key=lambda s: s.get("level") or 0)
    for shift in shifts:
        if shift.get("type") in ("override", "single_event"):
            _override(source, schedule, shift, zone, now)
    for shift in ordered:
        rotation = _rotation(source, schedule, shift, now)
        if rotation is not None:
            schedule.rotations.append(rotation)


def _local(text: str, zone: str) -> datetime:
    """A shift's ``start``: naive, in its zone (or with an offset)."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment(parsed.isoformat()) if parsed.tzinfo else moment(parsed.replace(tzinfo=ZoneInfo(zone)).isoformat())


def _override(source: Source, schedule: Schedule, shift: dict, zone: str, now: datetime) -> None:
    start = _local(shift["start"], shift.get("time_zone") or zone)
    end = start + timedelta(seconds=int(shift["duration"]))
    users = shift.get("users") or [u for group in shift.get("rolling_users") or [] for u in group]
    if end <= now or not users:
        return
    if len(users) > 1:
        source.leave(f'Grafana OnCall schedule "{schedule.name}", {shift["type"]} "{shift["name"]}"',
                     f"puts {len(users)} people on call at once; here an override is one person (the first)")
    source.overrides.append(OverrideEntry(schedule.id, users[0], start, end))


def _rotation(source: Source, schedule: Schedule, shift: dict, now: datetime) -> Rotation | None:
    what = f'Grafana OnCall schedule "{schedule.name}", shift "{shift["name"]}"'
    zone = shift.get("time_zone") or schedule.zone
    groups = shift.get("rolling_users") if shift["type"] == "rolling_users" else [shift.get("users") or []]
    groups = [group for group in groups or [] if group]
    if any(len(group) > 1 for group in groups):
        source.leave(what, "puts several people on call at once; here one person per layer (the first of each group)")
    if not groups:
        source.leave(what, "has nobody on it; not imported")
        return None
    first = int(shift.get("start_rotation_from_user_index") or 0) % len(groups)
    participants = [group[0] for group in groups[first:] + groups[:first]]
    frequency = shift.get("frequency")
    if frequency not in _UNITS:
        source.leave(what, f"repeats {frequency or 'never'}; here rotations are hourly, daily or weekly; not imported")
        return None
    if shift.get("until") and moment(shift["until"] if "+" in shift["until"] or "Z" in shift["until"]
                                     else shift["until"] + "+00:00") > now:
        source.leave(what, f"ends {shift['until']}; a layer here does not end, so it goes on after that")
    start = _local(shift["start"], zone)
    if start > now:
        source.leave(what, f"starts {shift['start']}; a layer here applies at once, so it is not imported: add it "
                           "to the file when it begins")
        return None
    period = _UNITS[frequency] * int(shift.get("interval") or 1)
    duration = timedelta(seconds=int(shift.get("duration") or period.total_seconds()))
    local = start.astimezone(ZoneInfo(zone))
    minute = local.hour * 60 + local.minute
    days = [_DAYS.index(day) for day in shift.get("by_day") or []]
    windows = None
    if days:  # each occurrence on these days, from the start's time of day; the turn is the whole period
        if duration > timedelta(days=1) or (frequency != "weekly" and len(set(days)) < 7 and len(participants) > 1):
            source.leave(what, f"rotates {frequency} on {', '.join(shift['by_day'])} only; here a daily rotation also "
                               "turns on the other days; not imported")
            return None
        windows = windows_from_spans([(day * 1440 + minute, int(duration.total_seconds() // 60)) for day in days])
    elif duration < period:
        if frequency == "hourly" or (frequency == "daily" and period > timedelta(days=1)):
            source.leave(what, f"covers {duration_text(duration)} of every {duration_text(period)}; here hours repeat "
                               "each day or week; not imported")
            return None
        spans = [(day * 1440 + minute, int(duration.total_seconds() // 60)) for day in range(7)] \
            if frequency == "daily" else [(local.weekday() * 1440 + minute, int(duration.total_seconds() // 60))]
        windows = windows_from_spans(spans)
    return Rotation(name=shift["name"], zone=zone, start=start, turn=period, calendar=frequency != "hourly",
                    participants=participants, windows=windows)


def _chain(source: Source, chain: dict, steps: list[dict]) -> None:
    """Notify steps gather into a level until a wait, which is that level's ``escalate_after``."""
    levels: list[Level] = []
    current: Level | None = None
    repeat = 0
    for step in steps:
        kind = step.get("type")
        what = f'Grafana OnCall escalation chain "{chain["name"]}", step {step.get("position", 0) + 1}: {kind}'
        if kind == "wait":
            wait = timedelta(seconds=int(step.get("duration") or 0))
            if current is not None:
                current.escalate_after, current = wait, None
            elif levels:
                levels[-1].escalate_after = (levels[-1].escalate_after or timedelta(0)) + wait
            else:
                source.leave(what + " before the first notification", "here the first level is paged at once")
        elif kind in _NOTIFY:
            if current is None:
                current = Level([], None)
                levels.append(current)
            value = step.get(_NOTIFY[kind])
            if kind == "notify_persons":
                current.targets += [Target("user", user) for user in value or []]
            elif value:
                current.targets.append(Target("schedule", value))
        elif kind == "repeat_escalation":  # from the beginning, up to five times; nothing after it is reached
            repeat = REPEATS
            break
        else:
            source.leave(what, _NO_EQUIVALENT.get(kind, "has no equivalent here; left out"))
    if levels and not repeat:
        levels[-1].escalate_after = None  # nothing follows the last level
    source.policies.append(Policy(chain["id"], chain["name"], levels, repeat=repeat))
