"""Alert webhooks: check the bearer token, validate the body, hand each alert to the alert service.

A missing or wrong token is a 401 and a malformed body a 400 naming the wrong field; neither
writes anything. Both are answered before any alert of the body is recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.alerts.service import AlertEvent, AlertService

Text = Annotated[str, Field(min_length=1)]


class AlertmanagerAlert(BaseModel):
    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = {}
    startsAt: datetime | None = None  # noqa: N815 (Alertmanager's field names)
    endsAt: datetime | None = None  # noqa: N815
    generatorURL: str | None = None  # noqa: N815
    fingerprint: str | None = None


class AlertmanagerPayload(BaseModel):
    """Alertmanager's webhook, version 4; fields we do not use are accepted and ignored."""

    version: Literal["4"]
    status: Literal["firing", "resolved"]
    receiver: str | None = None
    alerts: Annotated[list[AlertmanagerAlert], Field(min_length=1)]


class GenericPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=200)]
    dedup_key: Annotated[str, Field(min_length=1, max_length=255)]
    status: Literal["firing", "resolved"]
    severity: str | None = None
    service: str | None = None
    description: str | None = None


def alertmanager_events(payload: AlertmanagerPayload) -> list[AlertEvent]:
    events = []
    for alert in payload.alerts:
        labels, annotations = alert.labels, alert.annotations
        key = alert.fingerprint or hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:32]
        title = annotations.get("summary") or labels.get("alertname") or "Alert"
        events.append(AlertEvent(
            source="alertmanager", dedup_key=key, firing=alert.status == "firing", title=title,
            severity=labels.get("severity"), service=labels.get("service"),
            description=annotations.get("description"), urgency=_urgency(labels.get("urgency")),
            payload=alert.model_dump(mode="json")))
    return events


def generic_events(payload: GenericPayload) -> list[AlertEvent]:
    return [AlertEvent(source="webhook", dedup_key=payload.dedup_key, firing=payload.status == "firing",
                       title=payload.title, severity=payload.severity, service=payload.service,
                       description=payload.description, payload=payload.model_dump(mode="json"))]


def _urgency(value: str | None) -> str | None:
    return value if value in ("high", "low") else None


def routes(alerts: AlertService | None, token: str | None) -> list[Route]:
    def endpoint(model: type[BaseModel], to_events):
        async def receive(request: Request) -> JSONResponse:
            refusal = _check_token(request, token)
            if refusal is not None:
                return refusal
            body = await request.body()
            try:
                payload = model.model_validate_json(body)
            except ValidationError as exc:
                return JSONResponse({"error": "the body is not a valid alert", "problems": _problems(exc)}, status_code=400)
            if alerts is None:
                return JSONResponse({"error": "alerts are not set up on this server"}, status_code=503)
            outcomes = await run_in_threadpool(lambda: [alerts.receive(e) for e in to_events(payload)])
            return JSONResponse({"alerts": [o.__dict__ for o in outcomes]}, status_code=202)

        return receive

    return [
        Route("/webhooks/alertmanager", endpoint(AlertmanagerPayload, alertmanager_events), methods=["POST"]),
        Route("/webhooks/generic", endpoint(GenericPayload, generic_events), methods=["POST"]),
    ]


def _check_token(request: Request, token: str | None) -> JSONResponse | None:
    if not token:
        return JSONResponse({"error": "webhooks are refused: WEBHOOK_TOKEN is not set on this server"}, status_code=401)
    given = request.headers.get("authorization", "")
    if not given.lower().startswith("bearer ") or not hmac.compare_digest(given[7:].strip().encode(), token.encode()):
        return JSONResponse({"error": "missing or wrong bearer token: send Authorization: Bearer <WEBHOOK_TOKEN>"},
                            status_code=401)
    return None


def _problems(exc: ValidationError) -> list[dict[str, str]]:
    """Each wrong field as ``alerts[0].status`` with what was wrong, without pydantic's noise."""
    problems = []
    for error in exc.errors(include_url=False):
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]).lstrip(".")
        if error["type"] == "json_invalid":
            problems.append({"field": "(body)", "message": f"not JSON: {error['msg']}"})
        else:
            problems.append({"field": path or "(body)", "message": error["msg"]})
    return problems
