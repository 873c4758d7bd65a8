"""PagerDuty's Events API v2 (``POST /v2/enqueue``), checked as PagerDuty documents it: a 32-character
``routing_key``; ``event_action`` trigger, acknowledge or resolve; a ``dedup_key`` of at most 255
characters (required but for a trigger); a trigger's ``payload`` with ``summary`` (at most 1024),
``source`` and ``severity`` (critical, error, warning, info). 202 with the dedup key, or 400 with errors."""

from __future__ import annotations

from tests.fakeproviders.server import FakeServer, Refused, Request

ROUTING_KEY = "R0UT1NGKEY0123456789ABCDEFGHIJKL"
_PAYLOAD_KEYS = {"summary", "source", "severity", "timestamp", "component", "group", "class", "custom_details"}
_KEYS = {"routing_key", "event_action", "dedup_key", "payload", "client", "client_url", "links", "images"}


def _invalid(*errors: str) -> Refused:
    return Refused(400, {"status": "invalid event", "message": "Event object is invalid", "errors": list(errors)})


class FakePagerDuty(FakeServer):
    def reset(self) -> None:
        super().reset()
        self.events: list[dict] = []

    def handle(self, request: Request):
        if (request.method, request.path) != ("POST", "/v2/enqueue"):
            raise Refused(404, {"status": "not found"})
        try:
            event = request.json()
        except ValueError:
            raise _invalid("Body is not JSON") from None
        errors = [f"unknown key {key}" for key in set(event) - _KEYS]
        if len(str(event.get("routing_key", ""))) != 32:
            errors.append("'routing_key' must be 32 characters")
        if event.get("event_action") not in ("trigger", "acknowledge", "resolve"):
            errors.append("'event_action' is invalid")
        if event.get("event_action") != "trigger" and not event.get("dedup_key"):
            errors.append("'dedup_key' is required for acknowledge and resolve")
        if len(str(event.get("dedup_key", ""))) > 255:
            errors.append("'dedup_key' is too long")
        if event.get("event_action") == "trigger":
            payload = event.get("payload") or {}
            errors += [f"unknown payload key {key}" for key in set(payload) - _PAYLOAD_KEYS]
            if not payload.get("summary") or len(payload["summary"]) > 1024:
                errors.append("'payload.summary' is missing or too long")
            if not payload.get("source"):
                errors.append("'payload.source' is missing")
            if payload.get("severity") not in ("critical", "error", "warning", "info"):
                errors.append("'payload.severity' is invalid")
        if errors:
            raise _invalid(*errors)
        self.events.append(event)
        return 202, {"status": "success", "message": "Event processed", "dedup_key": event["dedup_key"]}
