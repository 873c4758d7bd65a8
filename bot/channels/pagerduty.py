"""PagerDuty: Events API v2 out (trigger, acknowledge, resolve), and the check of its webhooks v3.

Events go to ``PAGERDUTY_EVENTS_URL/v2/enqueue`` as PagerDuty documents (``routing_key``,
``event_action``, ``dedup_key``, and a ``payload`` with ``summary``, ``source``, ``severity`` for a
trigger); 202 is accepted, 400 a refusal, 429 and 5xx are retried. A webhook is genuine when one of
the ``v1=`` signatures in ``X-PagerDuty-Signature`` is the HMAC-SHA256 of the raw body with the
webhook's secret (a secret being rotated signs twice).
"""

from __future__ import annotations

import hashlib
import hmac

import requests

from bot.core.errors import PageNotDelivered

TIMEOUT = 10


class PagerDutyEventsClient:
    def __init__(self, events_url: str) -> None:
        self._url = f"{events_url.rstrip('/')}/v2/enqueue"
        self._http = requests.Session()

    def send(self, routing_key: str, action: str, dedup_key: str, payload: dict | None) -> None:
        body = {"routing_key": routing_key, "event_action": action, "dedup_key": dedup_key, "client": "incident-bot"}
        if payload is not None:
            body["payload"] = {key: value for key, value in payload.items() if value is not None}
        try:
            answer = self._http.post(self._url, json=body, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise PageNotDelivered(f"PagerDuty unreachable ({type(exc).__name__})", permanent=False) from exc
        if answer.status_code == 429 or answer.status_code >= 500:
            raise PageNotDelivered(f"PagerDuty answered {answer.status_code}", permanent=False)
        if answer.status_code >= 400:
            raise PageNotDelivered(f"PagerDuty refused the event ({answer.status_code}: {answer.text[:200]})",
                                   permanent=True)


def genuine_webhook(secret: str, body: bytes, header: str) -> bool:
    expected = "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, given.strip()) for given in header.split(",") if given.strip())
