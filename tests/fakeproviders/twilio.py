"""Twilio's REST API (2010-04-01) as far as pages use it: send an SMS, place a call, list messages.

Checked as Twilio documents: HTTP Basic auth with the account SID and auth token; ``To`` and ``From``
in E.164; an SMS needs ``Body`` (at most 1600 characters); a call needs one of ``Url``, ``Twiml``,
``ApplicationSid``, and ``Twiml`` must be a TwiML document (``<Response>``). Errors are Twilio's
JSON (``code``, ``message``, ``more_info``, ``status``); a list is a page with its meta keys.
"""

from __future__ import annotations

import base64
import re
import secrets
import xml.etree.ElementTree as ET
from email.utils import formatdate

from tests.fakeproviders.server import FakeServer, Refused, Request

SID = "AC" + "0" * 32
TOKEN = "twilio-test-token"
FROM = "+15005550006"
_E164 = re.compile(r"\+[1-9]\d{6,14}")
_INVALID_NUMBERS = {"+15005550001"}  # Twilio's magic test number: "invalid" (21211)


def _error(status: int, code: int, message: str) -> Refused:
    return Refused(status, {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                            "status": status})


class FakeTwilio(FakeServer):
    def reset(self) -> None:
        super().reset()
        self.messages: list[dict] = []
        self.calls: list[dict] = []
        self.lists_refused: int | None = None

    def refuse_lists(self, status: int) -> None:
        """Answer every message list with ``status`` from now on (404: a key without read rights;
        5xx: an outage of that endpoint), while sending still works."""
        self.lists_refused = status

    def handle(self, request: Request):
        auth = request.headers.get("Authorization", "")
        if auth != "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode():
            raise _error(401, 20003, "Authenticate")
        base = f"/2010-04-01/Accounts/{SID}"
        if request.path == f"{base}/Messages.json" and request.method == "POST":
            return 201, self._message(request.form())
        if request.path == f"{base}/Messages.json" and request.method == "GET":
            if self.lists_refused:
                raise _error(self.lists_refused, 20404 if self.lists_refused == 404 else 20500, "refused by the test")
            return 200, self._list(request)
        if request.path == f"{base}/Calls.json" and request.method == "POST":
            return 201, self._call(request.form())
        raise _error(404, 20404, f"The requested resource {request.path} was not found")

    def _numbers(self, form: dict) -> None:
        for key in ("To", "From"):
            if not form.get(key):
                raise _error(400, 21604 if key == "To" else 21603, f"A '{key}' phone number is required.")
            if not _E164.fullmatch(form[key]) or form[key] in _INVALID_NUMBERS:
                raise _error(400, 21211, f"The '{key}' number {form[key]} is not a valid phone number.")

    def _message(self, form: dict) -> dict:
        self._numbers(form)
        if not form.get("Body"):
            raise _error(400, 21602, "Message body is required.")
        if len(form["Body"]) > 1600:
            raise _error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        message = {"sid": "SM" + secrets.token_hex(16), "account_sid": SID, "to": form["To"], "from": form["From"],
                   "body": form["Body"], "status": "queued", "direction": "outbound-api", "num_segments": "1",
                   "date_created": formatdate(usegmt=True), "date_sent": None, "api_version": "2010-04-01",
                   "uri": f"/2010-04-01/Accounts/{SID}/Messages/x.json"}
        self.messages.append(message)
        return message

    def _call(self, form: dict) -> dict:
        self._numbers(form)
        if not any(form.get(key) for key in ("Url", "Twiml", "ApplicationSid")):
            raise _error(400, 21205, "Url parameter is required.")
        if form.get("Twiml"):
            try:
                root = ET.fromstring(form["Twiml"])
            except ET.ParseError:
                raise _error(400, 12100, "Document parse failure") from None
            if root.tag != "Response":
                raise _error(400, 12102, "Root element must be Response")
        call = {"sid": "CA" + secrets.token_hex(16), "account_sid": SID, "to": form["To"], "from": form["From"],
                "status": "queued", "direction": "outbound-api", "twiml": form.get("Twiml"),
                "date_created": formatdate(usegmt=True), "api_version": "2010-04-01"}
        self.calls.append(call)
        return call

    def _list(self, request: Request) -> dict:
        query = {key: values[-1] for key, values in request.query.items()}
        found = [m for m in self.messages if m["to"] == query.get("To", m["to"]) and m["from"] == query.get("From", m["from"])]
        size = int(query.get("PageSize", 50))
        return {"messages": found[:size], "end": max(len(found[:size]) - 1, 0), "first_page_uri": request.path,
                "next_page_uri": None, "page": 0, "page_size": size, "previous_page_uri": None, "start": 0,
                "uri": request.path}
