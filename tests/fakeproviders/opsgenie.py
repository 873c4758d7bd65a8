"""Opsgenie's REST API, the parts an import reads, as Opsgenie documents them.

Every request needs ``Authorization: GenieKey <key>`` (else 401 ``{"message", "took", "requestId"}``).
``/v2/users`` and ``/v1/services`` page by ``offset``/``limit`` with ``paging.next``; ``/v2/schedules``
(``expand=rotation``), ``/v2/escalations``, ``/v2/schedules/{id}/overrides`` and
``/v2/teams/{id}/routing-rules`` answer whole lists; ``/v2/schedules/{id}/timeline`` (``date``,
``interval``, ``intervalUnit``) renders ``finalTimeline``: per rotation, the periods someone is on call
in it (overrides applied), so overlapping rotations each show their person, as Opsgenie notifies both.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from tests.fakeproviders import rendering
from tests.fakeproviders.server import FakeServer, Refused, Request

KEY = "0a1b2c3d-fake-4e5f-genie-key000000001"
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TURNS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(days=7)}
_UNITS = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1), "days": timedelta(days=1),
          "weeks": timedelta(days=7), "months": timedelta(days=30)}


def _answer(data) -> dict:
    return {"data": data, "took": 0.01, "requestId": str(uuid.uuid4())}


class FakeOpsgenie(FakeServer):
    def reset(self) -> None:
        super().reset()
        self.users: list[dict] = []
        self.schedules: list[dict] = []  # each with its rotations, as expand=rotation shows them
        self.overrides: dict[str, list[dict]] = {}
        self.escalations: list[dict] = []
        self.services: list[dict] = []
        self.routing_rules: dict[str, list[dict]] = {}

    def handle(self, request: Request):
        if request.headers.get("Authorization") != f"GenieKey {KEY}":
            raise Refused(401, {"message": "Could not authenticate", "took": 0.0, "requestId": str(uuid.uuid4())})
        if request.path == "/v2/users":
            return 200, self._page(request, self.users)
        if request.path == "/v1/services":
            return 200, self._page(request, self.services)
        if request.path == "/v2/schedules":
            expand = "rotation" in request.query.get("expand", [""])[0]
            return 200, {**_answer([s if expand else {k: v for k, v in s.items() if k != "rotations"}
                                    for s in self.schedules]), "expandable": ["rotation"]}
        if request.path == "/v2/escalations":
            return 200, _answer(self.escalations)
        if match := re.fullmatch(r"/v2/teams/([\w-]+)/routing-rules", request.path):
            return 200, _answer(self.routing_rules.get(match[1], []))
        if match := re.fullmatch(r"/v2/schedules/([\w-]+)/overrides", request.path):
            return 200, _answer(self.overrides.get(match[1], []))
        if match := re.fullmatch(r"/v2/schedules/([\w-]+)/timeline", request.path):
            schedule = next((s for s in self.schedules if s["id"] == match[1]), None)
            if schedule is None:
                raise Refused(404, {"message": "Schedule not found", "took": 0.0, "requestId": str(uuid.uuid4())})
            return 200, _answer(self._timeline(schedule, request))
        raise Refused(404, {"message": "Not found", "took": 0.0, "requestId": str(uuid.uuid4())})

    def _page(self, request: Request, items: list[dict]) -> dict:
        offset = int(request.query.get("offset", ["0"])[0])
        limit = int(request.query.get("limit", ["20"])[0])
        if not 1 <= limit <= 100:
            raise Refused(422, {"message": "limit must be between 1 and 100", "took": 0.0, "requestId": "x"})
        body = {**_answer(items[offset:offset + limit]), "totalCount": len(items), "paging": {
            "first": f"{self.url}{request.path}?limit={limit}&offset=0"}}
        if offset + limit < len(items):
            body["paging"]["next"] = f"{self.url}{request.path}?limit={limit}&offset={offset + limit}"
        return body

    def _timeline(self, schedule: dict, request: Request) -> dict:
        since = rendering.utc(request.query["date"][0])
        since = since.replace(minute=0 if since.minute < 30 else 30, second=0, microsecond=0)
        amount = int(request.query.get("interval", ["1"])[0])
        until = since + _UNITS[request.query.get("intervalUnit", ["weeks"])[0]] * amount
        names = {user["id"]: user["username"] for user in self.users}
        covers = [rendering.Cover(o["user"]["id"], rendering.utc(o["startDate"]), rendering.utc(o["endDate"]))
                  for o in self.overrides.get(schedule["id"], [])]
        rotations = []
        for order, rotation in enumerate(schedule.get("rotations") or [], start=1):
            layer = _Overridden(_layer(rotation, schedule["timezone"]), covers)
            periods = []
            for start, end, user in rendering.final([layer], [], since, until):
                periods.append({"startDate": rendering.iso(start), "endDate": rendering.iso(end),
                                "type": "override" if rendering.on_call([], covers, start) else "default",
                                "recipient": {"type": "user", "id": user, "name": names.get(user)}})
            rotations.append({"id": rotation["id"], "name": rotation["name"], "order": float(order), "periods": periods})
        return {"_parent": {"id": schedule["id"], "name": schedule["name"], "enabled": True},
                "startDate": rendering.iso(since), "endDate": rendering.iso(until),
                "finalTimeline": {"rotations": rotations}}


class _Overridden:
    """A rotation's own on-call with the schedule's overrides in it: an override shows where the rotation covers."""

    def __init__(self, layer: rendering.Layer, covers: list[rendering.Cover]) -> None:
        self.layer, self.covers = layer, covers

    def who(self, at):
        person = self.layer.who(at)
        return person and (rendering.on_call([], self.covers, at) or [person])[0]


def _layer(rotation: dict, zone: str) -> rendering.Layer:
    users = [p["id"] if p["type"] == "user" else None for p in rotation["participants"]]  # "none": nobody
    spans = None
    restriction = rotation.get("timeRestriction")
    if restriction and restriction["type"] == "time-of-day":
        part = restriction["restriction"]
        start = part["startHour"] * 60 + part["startMin"]
        length = (part["endHour"] * 60 + part["endMin"] - start) % 1440 or 1440
        spans = [(day * 1440 + start, length) for day in range(7)]
    elif restriction:
        spans = []
        for part in restriction["restrictions"]:
            start = _DAYS.index(part["startDay"]) * 1440 + part["startHour"] * 60 + part["startMin"]
            end = _DAYS.index(part["endDay"]) * 1440 + part["endHour"] * 60 + part["endMin"]
            spans.append((start, (end - start) % (7 * 1440) or 7 * 1440))
    return rendering.Layer(start=rendering.utc(rotation["startDate"]),
                           turn=_TURNS[rotation["type"]] * rotation.get("length", 1), users=users, zone=zone,
                           calendar=rotation["type"] != "hourly", spans=spans,
                           ends=rendering.utc(rotation["endDate"]) if rotation.get("endDate") else None)
