"""An ntfy server as far as pages use it: publish as JSON (``POST /``) and poll a topic
(``GET /<topic>/json?poll=1``), checked as ntfy's publishing docs say: a topic of at most 64
letters, digits, ``-`` and ``_``; priority 1 to 5; at most three actions, each ``view``, ``http``,
``broadcast`` or ``copy`` with a label (and a URL for view and http); no unknown keys.
"""

from __future__ import annotations

import json
import re
import secrets
import time

from tests.fakeproviders.server import FakeServer, Refused, Request

_TOPIC = re.compile(r"[-_A-Za-z0-9]{1,64}")
_KEYS = {"topic", "message", "title", "tags", "priority", "actions", "click", "attach", "markdown", "icon", "filename",
         "delay", "email", "call"}
_ACTIONS = {"view", "http", "broadcast", "copy"}


def _bad(message: str) -> Refused:
    return Refused(400, {"code": 40000, "http": 400, "error": message})


class FakeNtfy(FakeServer):
    def reset(self) -> None:
        super().reset()
        self.pushes: list[dict] = []

    def handle(self, request: Request):
        if request.method == "POST" and request.path == "/":
            return 200, self._publish(request)
        topic = request.path.strip("/").removesuffix("/json")
        if request.method == "GET" and request.path.endswith("/json") and _TOPIC.fullmatch(topic):
            if request.query.get("poll") != ["1"]:
                raise _bad("only polling is modelled")
            return 200, "".join(json.dumps(p) + "\n" for p in self.pushes if p["topic"] == topic)
        raise Refused(404, {"code": 40401, "http": 404, "error": "page not found"})

    def _publish(self, request: Request) -> dict:
        try:
            body = request.json()
        except ValueError:
            raise _bad("invalid request: request body must be message JSON") from None
        if not isinstance(body, dict) or set(body) - _KEYS:
            raise _bad(f"invalid request: unknown keys {sorted(set(body) - _KEYS)}")
        if not _TOPIC.fullmatch(str(body.get("topic", ""))):
            raise _bad("invalid topic")
        if body.get("priority", 3) not in (1, 2, 3, 4, 5):
            raise _bad("invalid priority")
        actions = body.get("actions", [])
        if len(actions) > 3:
            raise _bad("too many actions")
        for action in actions:
            if action.get("action") not in _ACTIONS or not action.get("label"):
                raise _bad("action invalid")
            if action["action"] in ("view", "http") and not str(action.get("url", "")).startswith(("http://", "https://")):
                raise _bad("action invalid: url is required")
        push = {"id": secrets.token_urlsafe(9)[:12], "time": int(time.time()), "event": "message", **body}
        self.pushes.append(push)
        return push
