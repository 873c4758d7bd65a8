"""Alert webhooks: check the bearer token, validate the body, hand each alert to the alert service.

A missing or wrong token is a 401, a body over ``alerts.max_body_bytes`` or with more than
``alerts.max_alerts_per_request`` alerts a 413 naming the limit, and a malformed body a 400
naming the wrong field; none writes anything, all are answered before any alert is recorded.
Every string that is stored is bounded (and free of NUL, which PostgreSQL's text refuses), so
the database never refuses an alert with a 500, which Alertmanager would resend forever.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.alerts.service import AlertEvent, AlertService, Outcome
from bot.config.schema import AlertsConfig
from bot.web.auth import bearer, same_secret
from bot.web.errors import validated
from models.incident import TITLE_LENGTH


def _storable(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "contains a NUL character, which cannot be stored")
    return value


def _bounded(max_length: int, min_length: int = 0):
    return Annotated[str, Field(min_length=min_length, max_length=max_length), AfterValidator(_storable)]


def _fitted(max_length: int):
    """A string Alertmanager sent, fitted instead of refused (Alertmanager does not resend on a 4xx:
    refusing a long annotation would lose the alert): cut to ``max_length``, marked, NULs replaced."""
    def fit(value: str) -> str:
        value = value.replace("\x00", "\ufffd")
        return value if len(value) <= max_length else value[:max_length - 1] + "…"
    return Annotated[str, AfterValidator(fit)]


Key = _bounded(255)  # models.Alert.dedup_key
Title = _bounded(TITLE_LENGTH, min_length=1)  # an alert titles the incident it opens
Label = _bounded(1024)  # label names and values, severity, service
Text = _bounded(10_000)  # annotations, descriptions, links
FittedLabel, FittedText = _fitted(1024), _fitted(10_000)  # the same bounds, for what Alertmanager sends

DRAIN_LIMIT = 64 * 1024 * 1024
"""Bytes of an oversized body read (and dropped) so that its sender can read the 413."""


class AlertmanagerAlert(BaseModel):
    status: Literal["firing", "resolved"]
    labels: dict[FittedLabel, FittedLabel]
    annotations: dict[FittedLabel, FittedText] = {}
    startsAt: datetime | None = None  # noqa: N815 (Alertmanager's field names)
    endsAt: datetime | None = None  # noqa: N815
    generatorURL: FittedText | None = None  # noqa: N815
    fingerprint: Key | None = Field(default=None, validate_default=True)

    @field_validator("fingerprint")
    @classmethod
    def _identified(cls, fingerprint: str | None, info: ValidationInfo) -> str | None:
        """Without a fingerprint an alert is known by its labels' hash; with neither, it cannot be told apart."""
        if not fingerprint and info.data.get("labels") == {}:
            raise PydanticCustomError("unidentified", "missing, and there are no labels to identify the alert by")
        return fingerprint


class AlertmanagerPayload(BaseModel):
    """Alertmanager's webhook, version 4; fields we do not use are accepted and ignored."""

    version: Literal["4"]
    status: Literal["firing", "resolved"]
    receiver: str | None = None
    groupKey: Key | None = None  # noqa: N815 (Alertmanager spells it so): one notification's alerts are one group
    alerts: Annotated[list[AlertmanagerAlert], Field(min_length=1)]


class GenericPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    dedup_key: Annotated[Key, Field(min_length=1)]
    status: Literal["firing", "resolved"]
    severity: Label | None = None
    service: Label | None = None
    description: Text | None = None
    group: Key | None = None
    urgency: Literal["high", "low"] | None = None


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
            group=payload.groupKey, started_at=alert.startsAt, payload=alert.model_dump(mode="json")))
    return events


def generic_events(payload: GenericPayload) -> list[AlertEvent]:
    return [AlertEvent(source="webhook", dedup_key=payload.dedup_key, firing=payload.status == "firing",
                       title=payload.title, severity=payload.severity, service=payload.service,
                       description=payload.description, group=payload.group, urgency=payload.urgency,
                       payload=payload.model_dump(mode="json"))]


def _urgency(value: str | None) -> str | None:
    return value if value in ("high", "low") else None


def routes(alerts: AlertService | None, token: str | None, limits: AlertsConfig,
           alertmanager: Callable[[list[AlertEvent]], list[Outcome]] | None = None) -> list[Route]:
    """``alertmanager`` receives Alertmanager's alerts (the Watchdog's check-ins among them), else ``alerts``."""
    def endpoint(model: type[BaseModel], to_events, receiver=None):
        async def receive(request: Request) -> JSONResponse:
            refusal = check_token(request, token)
            if refusal is not None:
                return refusal
            body = await body_within(request, limits.max_body_bytes)
            if body is None:
                return _too_large(f"the body is over {limits.max_body_bytes} bytes (alerts.max_body_bytes)",
                                  limits.max_body_bytes)
            payload = validated(model, body, "alert")
            events = to_events(payload)
            if len(events) > limits.max_alerts_per_request:
                return _too_large(f"{len(events)} alerts in one notification; at most {limits.max_alerts_per_request} "
                                  "(alerts.max_alerts_per_request)", limits.max_alerts_per_request)
            if alerts is None:
                return JSONResponse({"error": "alerts are not set up on this server"}, status_code=503)
            outcomes = await run_in_threadpool(receiver or alerts.receive, events)
            return JSONResponse({"alerts": [o.__dict__ for o in outcomes]}, status_code=202)

        return receive

    return [
        Route("/webhooks/alertmanager", endpoint(AlertmanagerPayload, alertmanager_events, alertmanager),
              methods=["POST"]),
        Route("/webhooks/generic", endpoint(GenericPayload, generic_events), methods=["POST"]),
    ]


async def body_within(request: Request, limit: int) -> bytes | None:
    """The body, or None if it is over ``limit``: known from its Content-Length, else while reading
    it (a chunked body has none), so an oversized body is never held.

    The rest of an oversized body is still read and dropped, up to ``DRAIN_LIMIT``: a server that
    answers and closes while the client is still sending resets the connection, and the client
    (Alertmanager among them) sees a network error, which it retries, instead of the 413.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > DRAIN_LIMIT:
        return None
    over = declared.isdigit() and int(declared) > limit
    body, seen = bytearray(), 0
    async for chunk in request.stream():
        seen += len(chunk)
        over = over or seen > limit
        if seen > DRAIN_LIMIT:
            break
        if not over:
            body += chunk
    return None if over else bytes(body)


def _too_large(error: str, limit: int) -> JSONResponse:
    return JSONResponse({"error": error, "limit": limit}, status_code=413)


def check_token(request: Request, token: str | None, in_query: bool = False) -> JSONResponse | None:
    """None if the request carries ``token`` as a bearer (or, with ``in_query``, as ``?token=``), else the 401."""
    if not token:
        return JSONResponse({"error": "webhooks are refused: WEBHOOK_TOKEN is not set on this server"}, status_code=401)
    given = bearer(request)
    if given is None and in_query:
        given = request.query_params.get("token")
    if not same_secret(given, token):
        how = " or ?token=<WEBHOOK_TOKEN>" if in_query else ""
        return JSONResponse({"error": f"missing or wrong bearer token: send Authorization: Bearer <WEBHOOK_TOKEN>{how}"},
                            status_code=401)
    return None
