"""Who may read internal pages and files: one check for every route.

Internal pages and exports refuse anonymous requests: a page redirects to sign-in (and back
after), a file or JSON answers 401. A reader is known by the console's session cookie (Sign in
with Slack, or the sign-in page's CONSOLE_TOKEN form; ``bot.web.sessions``) or, for scripts, by
``Authorization: Bearer $CONSOLE_TOKEN``. A forged or expired cookie is dropped on the way to
the sign-in page. Build one ``Access`` in ``bot.web.app`` and hand it to the route modules.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from bot.web.sessions import SessionCookies
from bot.web.viewer import Viewer

Endpoint = Callable[[Request], Awaitable[Response]]

__all__ = ["Access", "Endpoint", "Viewer"]


class Access:
    def __init__(self, console_token: str | None, cookies: SessionCookies | None = None) -> None:
        self._token = console_token
        self.cookies = cookies

    @property
    def takes_token(self) -> bool:
        """Whether CONSOLE_TOKEN is set, so that the sign-in page offers its form."""
        return bool(self._token)

    def token_matches(self, given: str) -> bool:
        return bool(self._token) and hmac.compare_digest(given.strip().encode(), self._token.encode())

    def viewer(self, request: Request) -> Viewer | None:
        given = request.headers.get("authorization", "")
        if given.lower().startswith("bearer ") and self.token_matches(given[7:]):
            return Viewer("operator")
        return self.cookies.viewer(request) if self.cookies else None

    def page(self, endpoint: Endpoint) -> Endpoint:
        """An internal HTML page: anonymous readers are sent to sign in, and come back after."""
        async def guarded(request: Request) -> Response:
            viewer = self.viewer(request)
            if viewer is None:
                back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return self._signed_out(request, RedirectResponse(f"/auth/signin?next={quote(back)}", status_code=303))
            request.state.viewer = viewer
            return await endpoint(request)
        return guarded

    def file(self, endpoint: Endpoint) -> Endpoint:
        """An internal file or JSON export: anonymous callers get a 401 saying how to authenticate."""
        async def guarded(request: Request) -> Response:
            viewer = self.viewer(request)
            if viewer is None:
                return self._signed_out(request, JSONResponse(
                    {"error": "sign in first, or send Authorization: Bearer <CONSOLE_TOKEN>"}, status_code=401))
            request.state.viewer = viewer
            return await endpoint(request)
        return guarded

    def _signed_out(self, request: Request, response: Response) -> Response:
        """A session cookie that is no good any more (forged, expired, another key) is removed."""
        if self.cookies and self.cookies.has_bad_session(request):
            self.cookies.sign_out(response)
        return response
