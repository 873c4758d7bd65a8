"""Push pages through ntfy (https://ntfy.sh or a self-hosted server): priority 5 ("urgent"), which
rings through Android's Do Not Disturb, with an *Acknowledge* action that posts to the ack link.

Published as JSON to the server's root, as ntfy documents for publishing with a body; a page whose
answer was lost is looked for among the topic's recent messages (``/<topic>/json?poll=1``).
"""

from __future__ import annotations

import json

import requests

from bot.core.errors import PageNotDelivered
from bot.paging.steps import Outgoing

TIMEOUT = 10


class NtfySender:
    def __init__(self, base_url: str) -> None:
        self._base = base_url.rstrip("/")
        self._http = requests.Session()

    def send(self, message: Outgoing) -> str:
        body = {"topic": message.address, "title": message.title, "message": message.text, "priority": 5,
                "tags": ["rotating_light"]}
        if message.ack_url:
            body["click"] = message.ack_url
            body["actions"] = [{"action": "http", "label": "Acknowledge", "url": message.ack_url, "method": "POST",
                                "clear": True}]
        return self._call("POST", self._base, json=body).json()["id"]

    def already_sent(self, message: Outgoing) -> str | None:
        answer = self._call("GET", f"{self._base}/{message.address}/json", params={"poll": "1", "since": "12h"})
        for line in answer.text.splitlines():
            found = json.loads(line) if line.strip() else {}
            if found.get("event") == "message" and found.get("message") == message.text:
                return found["id"]
        return None

    def _call(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            answer = self._http.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise PageNotDelivered(f"ntfy unreachable ({type(exc).__name__})", permanent=False) from exc
        if answer.status_code == 429 or answer.status_code >= 500:
            raise PageNotDelivered(f"ntfy answered {answer.status_code}", permanent=False)
        if answer.status_code >= 400:
            raise PageNotDelivered(f"ntfy refused the push ({answer.status_code}: {answer.text[:200]})", permanent=True)
        return answer
