"""The console's cookies, signed with the session secret (itsdangerous): who signed in, and a
sign-in with Slack under way.

A session cookie is HttpOnly, SameSite=Lax and, when PUBLIC_URL is https, Secure. One that is
forged, expired or signed with another key reads as nobody: the reader is signed out, never
shown an error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta

from itsdangerous import BadData, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from bot.web.viewer import Viewer

SESSION = "incident_session"
SIGNIN = "incident_signin"
SESSION_AGE = timedelta(days=7)
"""How long a sign-in lasts: a week of night shifts without signing in again."""
SIGNIN_AGE = timedelta(minutes=10)
"""How long the way to Slack's consent page and back may take."""


class SessionCookies:
    """``secret()`` gives the signing key; it is asked once, at the first cookie (it may read the
    database, which need not answer while the server starts)."""

    def __init__(self, secret: Callable[[], str], secure: bool) -> None:
        self._secret = secret
        self._secure = secure

    @functools.cached_property
    def _sessions(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._key, salt="incident-bot.session")

    @functools.cached_property
    def _signins(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._key, salt="incident-bot.signin")

    @functools.cached_property
    def _key(self) -> str:
        return self._secret()

    def viewer(self, request: Request) -> Viewer | None:
        """Who the session cookie says is reading, or None (no cookie, or one that is not good)."""
        data = _load(self._sessions, request.cookies.get(SESSION), SESSION_AGE)
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return None
        user = data.get("user")
        return Viewer(data["name"], user if isinstance(user, str) else None)

    def has_bad_session(self, request: Request) -> bool:
        return SESSION in request.cookies and self.viewer(request) is None

    def sign_in(self, response: Response, viewer: Viewer) -> None:
        value = self._sessions.dumps({"name": viewer.name, "user": viewer.user_id})
        self._set(response, SESSION, value, SESSION_AGE, "/")

    def sign_out(self, response: Response) -> None:
        response.delete_cookie(SESSION, path="/", secure=self._secure, httponly=True, samesite="lax")

    def start_signin(self, response: Response, state: str, next_path: str) -> None:
        self._set(response, SIGNIN, self._signins.dumps({"state": state, "next": next_path}), SIGNIN_AGE, "/auth")

    def signin_under_way(self, request: Request) -> dict | None:
        """The state and destination of the sign-in this browser started, within ``SIGNIN_AGE``."""
        data = _load(self._signins, request.cookies.get(SIGNIN), SIGNIN_AGE)
        return data if isinstance(data, dict) and isinstance(data.get("state"), str) else None

    def end_signin(self, response: Response) -> None:
        response.delete_cookie(SIGNIN, path="/auth", secure=self._secure, httponly=True, samesite="lax")

    def _set(self, response: Response, name: str, value: str, age: timedelta, path: str) -> None:
        response.set_cookie(name, value, max_age=int(age.total_seconds()), path=path, secure=self._secure,
                            httponly=True, samesite="lax")


def _load(serializer: URLSafeTimedSerializer, value: str | None, age: timedelta):
    if not value:
        return None
    try:
        return serializer.loads(value, max_age=int(age.total_seconds()))
    except BadData:  # a bad signature, an expired one, or junk
        return None
