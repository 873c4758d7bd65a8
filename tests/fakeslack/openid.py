"""Sign in with Slack on the fake: the authorize page a browser visits, and the two Web API methods.

Slack's OpenID Connect flow: the app sends the browser to ``/openid/connect/authorize`` with its
client id, ``redirect_uri``, ``state`` and ``scope=openid ...``; the person picks their account
and Slack redirects back with a one-time ``code`` and the same ``state``. The app exchanges the
code with ``openid.connect.token`` (client id and secret as HTTP Basic, as slack-sdk sends them)
for an access token, and asks ``openid.connect.userInfo`` with it who signed in and in which
workspace. Here the authorize page lists the workspace's people as buttons (a test's browser
clicks one); a request the real page would refuse is a violation.
"""

from __future__ import annotations

import base64
import html
import json
import secrets
import time
from urllib.parse import parse_qsl, urlencode

CLIENT_ID, CLIENT_SECRET = "1111.2222", "fake-client-secret"
CODE_LIFETIME = 600  # seconds, as Slack's codes


from .wire import SlackError  # noqa: E402


class OpenIdMixin:
    """FakeSlack's part for Sign in with Slack; its state is reset with the rest (``_reset_openid``)."""

    def _reset_openid(self) -> None:
        self._oauth_client = (CLIENT_ID, CLIENT_SECRET)
        self._codes: dict[str, dict] = {}  # code -> user, client_id, redirect_uri, issued
        self._user_tokens: dict[str, str] = {}  # xoxp access token -> user

    def oauth_client(self, client_id: str, client_secret: str) -> None:
        """The app's credentials (its Basic Information page); CLIENT_ID/CLIENT_SECRET by default."""
        with self._lock:
            self._oauth_client = (client_id, client_secret)

    def authorize_code(self, user: str, redirect_uri: str, client_id: str = CLIENT_ID) -> str:
        """A code as if ``user`` had approved the authorize page (for tests without a browser)."""
        with self._lock:
            return self._issue_code(user, client_id, redirect_uri)

    # -- the authorize page (HTTP, not the Web API) -----------------------------------------------

    def _authorize(self, method: str, query: str, body: bytes) -> tuple[int, dict, str]:
        params = dict(parse_qsl(query if method == "GET" else body.decode("utf-8"), keep_blank_values=True))
        problems = self._authorize_problems(params)
        if problems:
            for problem in problems:
                self._violate(f"GET /openid/connect/authorize: {problem}")
            return 400, {"Content-Type": "text/plain; charset=utf-8"}, "; ".join(problems)
        if method == "GET":
            return 200, {"Content-Type": "text/html; charset=utf-8"}, self._authorize_html(params)
        back = params["redirect_uri"] + ("&" if "?" in params["redirect_uri"] else "?")
        if params.get("decision") != "allow":
            return 302, {"Location": back + urlencode({"error": "access_denied", "state": params["state"]})}, ""
        with self._lock:
            if params.get("user") not in self._users:
                return 400, {"Content-Type": "text/plain; charset=utf-8"}, "no such user"
            code = self._issue_code(params["user"], params["client_id"], params["redirect_uri"])
        return 302, {"Location": back + urlencode({"code": code, "state": params["state"]})}, ""

    def _authorize_problems(self, params: dict) -> list[str]:
        problems = []
        if params.get("response_type") != "code":
            problems.append(f"response_type must be code, not {params.get('response_type')!r}")
        if "openid" not in params.get("scope", "").split():
            problems.append(f"scope must include openid: {params.get('scope')!r}")
        if params.get("client_id") != self._oauth_client[0]:
            problems.append(f"unknown client_id {params.get('client_id')!r}")
        if not params.get("redirect_uri", "").startswith(("http://", "https://")):
            problems.append(f"redirect_uri must be an http(s) URL: {params.get('redirect_uri')!r}")
        if not params.get("state"):
            problems.append("no state: the app could not tell its own callback from a forged one")
        return problems

    def _authorize_html(self, params: dict) -> str:
        with self._lock:
            people = [u for u in self._users.values() if not u.get("is_bot") and not u.get("deleted")]
        hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in params.items())
        buttons = "".join(f'<button name="user" value="{html.escape(u["id"])}">Continue as {html.escape(u["name"])}'
                          "</button>" for u in people)
        return ('<!doctype html><link rel="icon" href="data:,">'
                "<title>Sign in to Fake Workspace</title><h1>Sign in to Fake Workspace</h1>"
                f'<form method="post"><input type="hidden" name="decision" value="allow">{hidden}{buttons}</form>'
                f'<form method="post"><input type="hidden" name="decision" value="deny">{hidden}'
                "<button>Cancel</button></form>")

    def _issue_code(self, user: str, client_id: str, redirect_uri: str) -> str:
        code = f"{int(time.time())}.{secrets.token_hex(8)}"
        self._codes[code] = {"user": user, "client_id": client_id, "redirect_uri": redirect_uri, "issued": time.time()}
        return code

    # -- Web API ------------------------------------------------------------------------------

    @staticmethod
    def _openid_args(method: str, args: dict, authorization: str | None) -> dict:
        """openid.connect.token's client credentials come as HTTP Basic (slack-sdk's way) or as arguments;
        userInfo's access token as a bearer. Both are copied into the args the handlers read."""
        auth = authorization or ""
        if method == "openid.connect.token" and auth.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
            return {**args, "client_id": client_id, "client_secret": client_secret}
        if method == "openid.connect.userInfo" and auth.startswith("Bearer "):
            return {**args, "token": auth[7:].strip()}
        return args

    def _m_openid_connect_token(self, args):
        if (args.get("client_id"), args.get("client_secret")) != self._oauth_client:
            raise SlackError("invalid_client")
        if args.get("grant_type", "authorization_code") != "authorization_code":
            raise SlackError("unsupported_grant_type")
        issued = self._codes.pop(args.get("code") or "", None)  # a code is good once
        if issued is None or time.time() - issued["issued"] > CODE_LIFETIME:
            raise SlackError("invalid_code")
        if issued["client_id"] != args["client_id"]:
            raise SlackError("invalid_grant")
        if args.get("redirect_uri") != issued["redirect_uri"]:
            raise SlackError("bad_redirect_uri")
        token = f"xoxp-{secrets.token_hex(12)}"
        self._user_tokens[token] = issued["user"]
        claims = {"sub": issued["user"], "https://slack.com/user_id": issued["user"], "iss": "https://slack.com"}
        id_token = ".".join(base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
                            for part in ({"alg": "none"}, claims)) + "."
        return {"ok": True, "access_token": token, "token_type": "Bearer", "id_token": id_token}

    def _m_openid_connect_userInfo(self, args):
        user_id = self._user_tokens.get(args.get("token", ""))
        if user_id is None or user_id not in self._users:
            raise SlackError("invalid_auth")
        user = self._users[user_id]
        team = user.get("team_id")
        return {"ok": True, "sub": user_id, "https://slack.com/user_id": user_id, "https://slack.com/team_id": team,
                "email": user["profile"].get("email"), "email_verified": True, "name": user.get("real_name") or user["name"],
                "given_name": user["name"], "https://slack.com/team_name": "Fake Workspace",
                "https://slack.com/team_domain": "fake"}
