"""PagerDuty's REST API v2, the parts an import reads, as PagerDuty documents them.

Every request needs ``Authorization: Token token=<key>`` (else 401 with PagerDuty's error shape) and
``Accept: application/vnd.pagerduty+json;version=2``. Lists (``/users``, ``/schedules``,
``/escalation_policies``, ``/services``) page by ``offset``/``limit`` (default 25, at most 100) and say
``more``. ``GET /schedules/{id}`` takes ``since``/``until``/``time_zone`` and renders
``final_schedule.rendered_schedule_entries`` from its layers and overrides; layers are listed highest
first, as PagerDuty's GET does. ``GET /schedules/{id}/overrides`` needs ``since`` and ``until``.
"""

from __future__ import annotations

import re
from datetime import timedelta

from tests.fakeproviders import rendering
from tests.fakeproviders.server import FakeServer, Refused, Request

TOKEN = "u+PDfakeReadOnlyKey0"
ACCEPT = "application/vnd.pagerduty+json;version=2"


def _error(status: int, message: str, code: int) -> Refused:
    return Refused(status, {"error": {"message": message, "code": code}})


class FakePagerDutyRest(FakeServer):
    def reset(self) -> None:
        super().reset()
        self.users: list[dict] = []
        self.schedules: list[dict] = []  # as GET /schedules/{id} shows them, without final_schedule
        self.overrides: dict[str, list[dict]] = {}
        self.escalation_policies: list[dict] = []
        self.services: list[dict] = []
        self.tampered: dict[str, list[dict]] = {}  # schedule id -> entries answered instead of the rendering

    def handle(self, request: Request):
        if request.method != "GET":
            raise _error(405, "Method not allowed", 2000)
        if request.headers.get("Authorization") != f"Token token={TOKEN}":
            raise _error(401, "Authentication failed", 2006)
        if request.headers.get("Accept") != ACCEPT:
            raise _error(406, "Not acceptable: use Accept: " + ACCEPT, 2000)
        lists = {"/users": ("users", self.users), "/schedules": ("schedules", self.schedules),
                 "/escalation_policies": ("escalation_policies", self.escalation_policies),
                 "/services": ("services", self.services)}
        if request.path in lists:
            return 200, self._page(request, *lists[request.path])
        if match := re.fullmatch(r"/schedules/(\w+)/overrides", request.path):
            since, until = self._range(request)
            found = [o for o in self.overrides.get(match[1], [])
                     if rendering.utc(o["start"]) < until and rendering.utc(o["end"]) > since]
            return 200, {"overrides": found}
        if match := re.fullmatch(r"/schedules/(\w+)", request.path):
            schedule = next((s for s in self.schedules if s["id"] == match[1]), None)
            if schedule is None:
                raise _error(404, "Not Found", 2100)
            since, until = self._range(request)
            return 200, {"schedule": {**schedule, "final_schedule": {
                "name": "Final Schedule", "rendered_coverage_percentage": None,
                "rendered_schedule_entries": self.tampered.get(schedule["id"]) or self._entries(schedule, since, until),
            }}}
        raise _error(404, "Not Found", 2100)

    def _page(self, request: Request, key: str, items: list[dict]) -> dict:
        offset = int(request.query.get("offset", ["0"])[0])
        limit = int(request.query.get("limit", ["25"])[0])
        if not 1 <= limit <= 100:
            raise _error(400, "Invalid Input Provided: limit must be at most 100", 2001)
        page = items[offset:offset + limit]
        return {key: page, "limit": limit, "offset": offset, "more": offset + limit < len(items), "total": None}

    @staticmethod
    def _range(request: Request):
        if "since" not in request.query or "until" not in request.query:
            raise _error(400, "Invalid Input Provided: since and until are required", 2001)
        return rendering.utc(request.query["since"][0]), rendering.utc(request.query["until"][0])

    def _entries(self, schedule: dict, since, until) -> list[dict]:
        layers = [_layer(layer, schedule["time_zone"]) for layer in reversed(schedule["schedule_layers"])]
        covers = [rendering.Cover(o["user"]["id"], rendering.utc(o["start"]), rendering.utc(o["end"]))
                  for o in self.overrides.get(schedule["id"], [])]
        start = since.replace(minute=0 if since.minute < 30 else 30, second=0, microsecond=0)
        names = {user["id"]: user["name"] for user in self.users}
        return [{"start": rendering.iso(a), "end": rendering.iso(b),
                 "user": {"id": user, "type": "user_reference", "summary": names.get(user, user)}}
                for a, b, user in rendering.final(layers, covers, start, until)]


def _layer(layer: dict, zone: str) -> rendering.Layer:
    spans = []
    for restriction in layer.get("restrictions") or []:
        hours, minutes, _ = (int(part) for part in restriction["start_time_of_day"].split(":"))
        length = int(restriction["duration_seconds"]) // 60
        if restriction["type"] == "daily_restriction":
            spans += [(day * 1440 + hours * 60 + minutes, length) for day in range(7)]
        else:
            spans.append(((restriction["start_day_of_week"] - 1) * 1440 + hours * 60 + minutes, length))
    turn = timedelta(seconds=layer["rotation_turn_length_seconds"])
    return rendering.Layer(
        start=rendering.utc(layer["rotation_virtual_start"]), turn=turn, users=[u["user"]["id"] for u in layer["users"]],
        zone=zone, calendar=turn % timedelta(days=1) == timedelta(0), spans=spans or None,
        begins=rendering.utc(layer["start"]), ends=rendering.utc(layer["end"]) if layer.get("end") else None,
    )
