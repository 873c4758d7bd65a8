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

__all__ = ["Access", "Endpoint", "Viewer", "bearer", "same_secret"]


def bearer(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (``bearer`` in any case), or None."""
    given = request.headers.get("authorization", "")
    return given[7:].strip() if given.lower().startswith("bearer ") else None


def same_secret(given: str | None, secret: str | None) -> bool:
    """Whether ``given`` is the configured ``secret`` (in constant time); never when no secret is set,
    so an unset token locks the door rather than opening it."""
    return bool(given is not None and secret) and hmac.compare_digest(given.strip().encode(), secret.encode())

class Access:
    def __init__(self, console_token: str | None, cookies: SessionCookies | None = None) -> None:
        self._token = console_token
        self.cookies = cookies

    @property
    def takes_token(self) -> bool:
        """Whether CONSOLE_TOKEN is set, so that the sign-in page offers its form."""
        return bool(self._token)

    def token_matches(self, given: str) -> bool:
        return same_secret(given, self._token)

    def viewer(self, request: Request) -> Viewer | None:
        if same_secret(bearer(request), self._token):
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
