"""Opsgenie's REST API: users, schedules with their rotations, overrides and timeline, escalations, and
services with their team's routing rules. ``Authorization: GenieKey …``; lists page by ``paging.next``.

A rotation is ``hourly``, ``daily`` or ``weekly`` times its ``length`` from its ``startDate``; its time
restriction is a time of day (every day) or a list of weekday-and-time spans. Escalation rules wait
from the alert's creation, so the waits here are the differences between them. A service pages the
escalation (or schedule) its team's default routing rule names.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from bot.core.calendar import WEEKDAYS
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

BASE_URL = "https://api.opsgenie.com"
_UNITS = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1), "days": timedelta(days=1)}
_TURNS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(days=7)}


def api(token: str, url: str | None) -> Api:
    return Api(url or BASE_URL, {"Authorization": f"GenieKey {token}"}, "Opsgenie",
               "use an API key of an API integration (Settings → Integrations → API) with read access")


def _next(body: dict) -> str | None:
    return (body.get("paging") or {}).get("next")


def read(client: Api, now: datetime, until: datetime) -> Source:
    source = Source("Opsgenie", client.base)
    for user in client.next_pages("v2/users", "data", {"limit": 100}, _next):
        source.people[user["id"]] = Person(user["id"], user.get("fullName") or user["username"], user.get("username"))
    by_name = {person.email: person.id for person in source.people.values()}
    for schedule in client.next_pages("v2/schedules", "data", {"expand": "rotation"}, _next):
        _schedule(source, schedule, now, by_name)
        timeline = client.get(f"v2/schedules/{schedule['id']}/timeline",
                              {"interval": 15, "intervalUnit": "days", "date": iso(now)})
        _rendering(source, schedule, timeline.get("data") or {}, by_name)
        overrides = client.get(f"v2/schedules/{schedule['id']}/overrides")
        for override in overrides.get("data") or []:
            user = _user_id(override.get("user") or {}, by_name)
            if user and override.get("rotations"):
                rotations = ", ".join(r.get("name") or r.get("id") for r in override["rotations"])
                source.leave(f'Opsgenie override "{override.get("alias")}" of schedule "{schedule["name"]}"',
                             f"applies only to rotations {rotations}; here it covers the whole schedule")
            if user:
                source.overrides.append(OverrideEntry(schedule["id"], user, moment(override["startDate"]),
                                                      moment(override["endDate"])))
    for escalation in client.next_pages("v2/escalations", "data", None, _next):
        _escalation(source, escalation, by_name)
    policies = {policy.id for policy in source.policies}
    routes: dict[str, str | None] = {}
    for service in client.next_pages("v1/services", "data", {"limit": 100}, _next):
        team = service.get("teamId")
        if team and team not in routes:
            routes[team] = _routing(source, client, team, policies)
        source.services.append(Service(service["id"], service["name"], routes.get(team),
                                       service.get("description") or None))
    return source


def _user_id(recipient: dict, by_name: dict[str, str]) -> str | None:
    return recipient.get("id") or by_name.get(recipient.get("username"))


def _schedule(source: Source, data: dict, now: datetime, by_name: dict[str, str]) -> None:
    zone = data.get("timezone") or "UTC"
    schedule = Schedule(data["id"], data["name"], zone)
    source.schedules.append(schedule)
    if data.get("enabled") is False:
        source.leave(f'Opsgenie schedule "{data["name"]}"', "is disabled there; imported as an active schedule")
    for rotation in data.get("rotations") or []:
        what = f'Opsgenie schedule "{data["name"]}", rotation "{rotation.get("name")}"'
        end = moment(rotation["endDate"]) if rotation.get("endDate") else None
        if end is not None and end <= now:
            source.notes.append(f"{what} ended {end:%Y-%m-%d}: nothing to carry over")
            continue
        start = moment(rotation["startDate"])
        if start > now:
            source.leave(what, f"starts {start:%Y-%m-%d %H:%M} UTC; a layer here applies at once, so it is not "
                               "imported: add it to the file when it begins")
            continue
        if end is not None:
            source.leave(what, f"ends {end:%Y-%m-%d %H:%M} UTC; a layer here does not end, so it goes on after that")
        participants = []
        for participant in rotation.get("participants") or []:
            kind = participant.get("type")
            if kind == "user" and _user_id(participant, by_name):
                participants.append(_user_id(participant, by_name))
            else:
                label = participant.get("name") or participant.get("username") or kind
                source.leave(f"{what}: participant {kind} {label}" if kind != "none" else f"{what}: a \"none\" turn",
                             "here a rotation's turns go to people; left out, the next person takes the turn")
        turn = _TURNS[rotation["type"]] * int(rotation.get("length") or 1)
        schedule.rotations.append(Rotation(
            name=rotation.get("name") or f"rotation {len(schedule.rotations) + 1}", zone=zone, start=start, turn=turn,
            calendar=rotation["type"] != "hourly", participants=participants,
            windows=_windows(rotation.get("timeRestriction")),
        ))


def _windows(restriction: dict | None):
    if not restriction:
        return None
    if restriction.get("type") == "time-of-day":
        part = restriction.get("restriction") or {}
        start = part["startHour"] * 60 + part.get("startMin", 0)
        length = (part["endHour"] * 60 + part.get("endMin", 0) - start) % 1440 or 1440
        return windows_from_spans([(day * 1440 + start, length) for day in range(7)])
    spans = []
    for part in restriction.get("restrictions") or []:
        start = WEEKDAYS.index(part["startDay"]) * 1440 + part["startHour"] * 60 + part.get("startMin", 0)
        end = WEEKDAYS.index(part["endDay"]) * 1440 + part["endHour"] * 60 + part.get("endMin", 0)
        spans.append((start, (end - start) % (7 * 1440) or 7 * 1440))
    return windows_from_spans(spans)


def _rendering(source: Source, schedule: dict, timeline: dict, by_name: dict[str, str]) -> None:
    """The final timeline's periods; where two rotations have someone on call at once, both are paged there."""
    shifts, by_rotation = [], []
    for rotation in (timeline.get("finalTimeline") or {}).get("rotations") or []:
        for period in rotation.get("periods") or []:
            user = _user_id(period.get("recipient") or {}, by_name)
            if user and (period.get("recipient") or {}).get("type", "user") == "user":
                shift = SourceShift(moment(period["startDate"]), moment(period["endDate"]), frozenset([user]))
                shifts.append(shift)
                by_rotation.append((rotation.get("name"), shift))
    overlapping = {(a, b) for a, one in by_rotation for b, other in by_rotation
                   if a != b and one.users != other.users and one.start < other.end and other.start < one.end}
    for first, second in sorted({tuple(sorted(pair)) for pair in overlapping}):
        source.leave(f'Opsgenie schedule "{schedule["name"]}": rotations "{first}" and "{second}" overlap',
                     "both are paged there; here the later layer wins where layers overlap")
    source.rendering[schedule["id"]] = shifts


def _escalation(source: Source, escalation: dict, by_name: dict[str, str]) -> None:
    name = escalation["name"]
    waits: dict[timedelta, list[Target]] = defaultdict(list)
    for number, rule in enumerate(escalation.get("rules") or [], start=1):
        what = f'Opsgenie escalation "{name}", rule {number}'
        if rule.get("condition") == "if-not-closed":
            source.leave(f"{what}: if-not-closed", "here escalation stops when someone acknowledges")
        if rule.get("notifyType", "default") != "default":
            source.leave(f"{what}: notify {rule['notifyType']}", "here a schedule pages whoever is on call now")
        delay = rule.get("delay") or {}
        wait = _UNITS.get(delay.get("timeUnit", "minutes"), _UNITS["minutes"]) * int(delay.get("timeAmount") or 0)
        recipient = rule.get("recipient") or {}
        if recipient.get("type") == "user" and _user_id(recipient, by_name):
            waits[wait].append(Target("user", _user_id(recipient, by_name)))
        elif recipient.get("type") == "schedule":
            waits[wait].append(Target("schedule", recipient["id"]))
        else:
            source.leave(f'{what}: {recipient.get("type")} {recipient.get("name") or recipient.get("id")}',
                         "a team has no equivalent here (name a Slack user group instead); left out")
            waits.setdefault(wait, [])
    moments = sorted(waits)
    repeat = escalation.get("repeat") or {}
    levels = [Level(waits[at], (moments[index + 1] - at) if index + 1 < len(moments) else None)
              for index, at in enumerate(moments)]
    if levels and repeat.get("count"):
        levels[-1].escalate_after = timedelta(minutes=int(repeat.get("waitInterval") or 0)) or None
    source.policies.append(Policy(escalation["id"], name, levels, repeat=int(repeat.get("count") or 0)))


def _routing(source: Source, client: Api, team: str, policies: set[str]) -> str | None:
    """The escalation the team's default routing rule names; every other rule is listed."""
    rules = client.get(f"v2/teams/{team}/routing-rules").get("data") or []
    chosen = None
    for rule in rules:
        notify = rule.get("notify") or {}
        what = f'Opsgenie routing rule "{rule.get("name") or rule.get("id")}" of team {team}'
        if rule.get("timeRestriction"):
            source.leave(what, "routes by time of day; here a service always pages one escalation policy")
        elif not rule.get("isDefault"):
            source.leave(what, "routes alerts by their fields; here a service always pages one escalation policy")
        elif notify.get("type") == "escalation":
            chosen = notify.get("id")
        elif notify.get("type") == "schedule":
            source.leave(what, "notifies a schedule directly; add an escalation policy that pages it")
    return chosen if chosen in policies else None
