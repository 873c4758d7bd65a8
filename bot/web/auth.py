"""Who may read internal pages and files.

Internal pages and exports refuse anonymous requests: a page redirects to sign-in, a file or JSON
answers 401. Today an operator signs in with ``CONSOLE_TOKEN`` as ``Authorization: Bearer``; the
web console adds Sign in with Slack and its session cookie here, so every route keeps one check.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Viewer:
    """Who is reading: a Slack user (``user_id``) or the operator holding CONSOLE_TOKEN."""

    name: str
    user_id: str | None = None


class Access:
    def __init__(self, console_token: str | None) -> None:
        self._token = console_token

    def viewer(self, request: Request) -> Viewer | None:
        given = request.headers.get("authorization", "")
        if self._token and given.lower().startswith("bearer ") and hmac.compare_digest(
                given[7:].strip().encode(), self._token.encode()):
            return Viewer("operator")
        return None

    def page(self, endpoint: Endpoint) -> Endpoint:
        """An internal HTML page: anonymous readers are sent to sign in, and come back after."""
        async def guarded(request: Request) -> Response:
            viewer = self.viewer(request)
            if viewer is None:
                return RedirectResponse(f"/auth/signin?next={quote(request.url.path)}", status_code=303)
            request.state.viewer = viewer
            return await endpoint(request)
        return guarded

    def file(self, endpoint: Endpoint) -> Endpoint:
        """An internal file or JSON export: anonymous callers get a 401 saying how to authenticate."""
        async def guarded(request: Request) -> Response:
            viewer = self.viewer(request)
            if viewer is None:
                return JSONResponse({"error": "sign in first, or send Authorization: Bearer <CONSOLE_TOKEN>"},
                                    status_code=401)
            request.state.viewer = viewer
            return await endpoint(request)
        return guarded
