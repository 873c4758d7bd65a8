"""Grafana OnCall's API v1 (``/api/v1/``), the parts an import reads, as Grafana documents them.

Every request needs ``Authorization: <token>`` (else 401 ``{"detail": ...}``). Lists answer
``{"count", "next", "previous", "results", "page_size", "current_page_number", "total_pages"}`` and page
by ``page`` (``next`` is the whole URL of the following page). ``/escalation_policies/`` filters by
``escalation_chain_id``, ``/routes/`` by ``integration_id``. ``/schedules/{id}/final_shifts/`` takes
``start_date`` and ``end_date`` (days) and renders the schedule's shifts: each shift's user groups take
turns one ``interval`` of ``frequency`` each from ``start`` (in the shift's zone), each occurrence lasting
``duration`` on its ``by_day`` days; the higher ``level`` wins; override shifts win over all.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from tests.fakeproviders import rendering
from tests.fakeproviders.server import FakeServer, Refused, Request

TOKEN = "c0ffee-grafana-oncall-token"
PAGE_SIZE = 50
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_UNITS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1), "weekly": timedelta(days=7)}


class FakeGrafanaOnCall(FakeServer):
    def reset(self) -> None:
        super().reset()
        self.users: list[dict] = []
        self.schedules: list[dict] = []
        self.shifts: list[dict] = []
        self.chains: list[dict] = []
        self.steps: list[dict] = []  # escalation policies, each with escalation_chain_id and position
        self.integrations: list[dict] = []
        self.routes: list[dict] = []

    def handle(self, request: Request):
        if request.headers.get("Authorization") != TOKEN:
            raise Refused(401, {"detail": "Invalid token."})
        path = request.path.removeprefix("/api/v1")
        query = {key: values[-1] for key, values in request.query.items()}
        lists = {"/users/": self.users, "/schedules/": self.schedules, "/on_call_shifts/": self.shifts,
                 "/escalation_chains/": self.chains, "/integrations/": self.integrations,
                 "/escalation_policies/": [s for s in self.steps
                                           if s["escalation_chain_id"] == query.get("escalation_chain_id",
                                                                                    s["escalation_chain_id"])],
                 "/routes/": [r for r in self.routes if r["integration_id"] == query.get("integration_id",
                                                                                        r["integration_id"])]}
        if not request.path.startswith("/api/v1/"):
            raise Refused(404, {"detail": "Not found."})
        if path in lists:
            return 200, self._page(request, lists[path], query)
        if match := re.fullmatch(r"/schedules/(\w+)/final_shifts/?", path):
            schedule = next((s for s in self.schedules if s["id"] == match[1]), None)
            if schedule is None:
                raise Refused(404, {"detail": "Not found."})
            if "start_date" not in query or "end_date" not in query:
                raise Refused(400, {"detail": "start_date and end_date are required"})
            return 200, self._page(request, self._final(schedule, query), query)
        raise Refused(404, {"detail": "Not found."})

    def _page(self, request: Request, items: list[dict], query: dict) -> dict:
        number = int(query.get("page", "1"))
        pages = max(1, -(-len(items) // PAGE_SIZE))
        following = None
        if number < pages:
            following = f"{self.url}{request.path}?" + urlencode({**query, "page": number + 1})
        return {"count": len(items), "next": following, "previous": None, "page_size": PAGE_SIZE,
                "current_page_number": number, "total_pages": pages,
                "results": items[(number - 1) * PAGE_SIZE:number * PAGE_SIZE]}

    def _final(self, schedule: dict, query: dict) -> list[dict]:
        zone = schedule.get("time_zone") or "UTC"
        tz = ZoneInfo(zone)
        since = datetime.fromisoformat(query["start_date"]).replace(tzinfo=tz).astimezone(ZoneInfo("UTC"))
        until = datetime.fromisoformat(query["end_date"]).replace(tzinfo=tz).astimezone(ZoneInfo("UTC"))
        shifts = [s for s in self.shifts if s["id"] in schedule.get("shifts", []) or s.get("schedule") == schedule["id"]]
        layers = [_layer(s, zone) for s in sorted((s for s in shifts if s["type"] in ("rolling_users", "recurrent_event")),
                                                  key=lambda s: s.get("level", 0))]
        covers = [rendering.Cover((s.get("users") or [None])[0], _start(s, zone), _start(s, zone) +
                                  timedelta(seconds=s["duration"])) for s in shifts if s["type"] in ("override", "single_event")]
        emails = {user["id"]: user for user in self.users}
        return [{"user_pk": user, "user_email": emails[user]["email"], "user_username": emails[user]["username"],
                 "shift_start": rendering.iso(start), "shift_end": rendering.iso(end)}
                for start, end, user in rendering.final(layers, covers, since, until)]


def _start(shift: dict, zone: str) -> datetime:
    parsed = datetime.fromisoformat(shift["start"])
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(shift.get("time_zone") or zone))


def _layer(shift: dict, zone: str) -> rendering.Layer:
    zone = shift.get("time_zone") or zone
    start = _start(shift, zone)
    period = _UNITS[shift["frequency"]] * shift.get("interval", 1)
    groups = shift["rolling_users"] if shift["type"] == "rolling_users" else [shift["users"]]
    first = shift.get("start_rotation_from_user_index") or 0
    users = [group[0] for group in groups[first:] + groups[:first]]
    local = start.astimezone(ZoneInfo(zone))
    minute, length = local.hour * 60 + local.minute, shift["duration"] // 60
    days = [_DAYS.index(day) for day in shift.get("by_day") or []]
    if days:
        spans = [(day * 1440 + minute, length) for day in days]
    elif timedelta(seconds=shift["duration"]) >= period:
        spans = None
    elif shift["frequency"] == "daily":
        spans = [(day * 1440 + minute, length) for day in range(7)]
    else:
        spans = [(local.weekday() * 1440 + minute, length)]
    return rendering.Layer(start=start, turn=period, users=users, zone=zone, calendar=shift["frequency"] != "hourly",
                           spans=spans)
