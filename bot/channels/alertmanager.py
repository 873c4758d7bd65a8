"""Alertmanager's API v2 silences: a maintenance window silences its service's alerts at the source too.

A silence is ``POST /api/v2/silences`` (matcher ``service=<name>``, the window's start and end,
``createdBy``, ``comment``), answered with its ``silenceID``; ending it early is
``DELETE /api/v2/silence/<id>`` (Alertmanager marks it expired). Any failure is a ``SilenceFailed``
saying what happened, for the person and the retry.
"""

from __future__ import annotations

from datetime import datetime

import requests

from bot.maintenance.silences import SilenceFailed

TIMEOUT = 3


class AlertmanagerSilences:
    def __init__(self, base_url: str) -> None:
        self._base = base_url.rstrip("/")
        self._http = requests.Session()

    def create(self, service: str, starts_at: datetime, ends_at: datetime, created_by: str, comment: str) -> str:
        body = {"matchers": [{"name": "service", "value": service, "isRegex": False, "isEqual": True}],
                "startsAt": starts_at.isoformat(), "endsAt": ends_at.isoformat(),
                "createdBy": created_by, "comment": comment}
        return self._call("POST", f"{self._base}/api/v2/silences", json=body).json()["silenceID"]

    def expire(self, silence_id: str) -> None:
        self._call("DELETE", f"{self._base}/api/v2/silence/{silence_id}")

    def _call(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            answer = self._http.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise SilenceFailed(f"Alertmanager is unreachable ({type(exc).__name__})") from exc
        if answer.status_code >= 400:
            raise SilenceFailed(f"Alertmanager answered {answer.status_code}: {answer.text[:200]}")
        return answer
