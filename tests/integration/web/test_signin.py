"""Signing in to the console: Sign in with Slack (OpenID Connect), the operator's token, sign-out,
and every way a sign-in or a session can be bad."""

from __future__ import annotations

import time
import urllib.parse

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from starlette.responses import Response

from bot.web.sessions import SessionCookies
from bot.web.viewer import Viewer
from models import StoredSecret
from tests.console import CONSOLE_TOKEN, Browserless, console_running, start_console


@pytest.fixture
def console(database_url, engine, fake_slack, clock, servers):
    with console_running(database_url, fake_slack, clock, servers) as bot:
        yield bot


def slack_signin(client: Browserless, fake, user: str = "U01ALICE", next_path: str = "/") -> str:
    """Press *Sign in with Slack*, approve as ``user`` on the fake's page; the callback's URL."""
    start = client.post("/auth/signin", {"via": "slack", "next": next_path})
    assert start.status == 303
    authorize = urllib.parse.urlsplit(start.location)
    params = dict(urllib.parse.parse_qsl(authorize.query))
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == f"{fake.url}/openid/connect/authorize"
    assert params["scope"] == "openid profile" and params["response_type"] == "code"
    code = fake.authorize_code(user, params["redirect_uri"])
    callback = urllib.parse.urlsplit(params["redirect_uri"])
    return f"{callback.path}?{urllib.parse.urlencode({'code': code, 'state': params['state']})}"


def test_sign_in_with_slack_then_sign_out(console, fake_slack):
    client = Browserless(console.url)
    assert client.get("/incidents").status == 303
    done = client.get(slack_signin(client, fake_slack, next_path="/oncall"))
    assert (done.status, done.location) == (303, "/oncall")
    session = next(line for line in done.cookies if line.startswith("incident_session="))
    assert "HttpOnly" in session and "SameSite=lax" in session and "Secure" not in session
    page = client.get("/incidents")
    assert page.status == 200 and "Alice Ångström" in page.body
    assert [c.method for c in fake_slack.calls if c.method.startswith("openid")] == [
        "openid.connect.token", "openid.connect.userInfo"]
    assert client.post("/auth/signout", {}).status == 303
    assert client.get("/incidents").status == 303


def test_only_members_of_the_workspace_get_in(console, fake_slack):
    fake_slack.add_user("U09GUEST", name="guest", team_id="T0OTHER")
    client = Browserless(console.url)
    refused = client.get(slack_signin(client, fake_slack, user="U09GUEST"))
    assert refused.status == 403 and "only members of this bot&#39;s Slack workspace" in refused.body
    assert "incident_session" not in client.jar


def test_a_callback_with_a_bad_state_or_code_is_refused_with_a_message(console, fake_slack):
    client = Browserless(console.url)
    callback = slack_signin(client, fake_slack)
    forged = callback.replace("state=", "state=x")
    answer = client.get(forged)
    assert answer.status == 400 and "its state does not match" in answer.body
    client = Browserless(console.url)
    callback = slack_signin(client, fake_slack)
    bad_code = client.get(callback.replace("code=", "code=junk"))
    assert bad_code.status == 400 and "Slack did not accept the sign-in (invalid_code)" in bad_code.body
    assert Browserless(console.url).get("/auth/slack/callback?code=x&state=y").status == 400
    denied = Browserless(console.url)
    state = dict(urllib.parse.parse_qsl(slack_signin(denied, fake_slack).split("?", 1)[1]))["state"]
    cancelled = denied.get(f"/auth/slack/callback?error=access_denied&state={state}")
    assert cancelled.status == 400 and "access_denied" in cancelled.body


def test_the_console_token_signs_in_an_operator_and_opens_files(console):
    client = Browserless(console.url)
    wrong = client.post("/auth/signin", {"token": "nope"})
    assert wrong.status == 401 and "not the console token" in wrong.body
    right = client.post("/auth/signin", {"token": CONSOLE_TOKEN, "next": "//evil.example/"})
    assert (right.status, right.location) == (303, "/")
    assert "operator" in client.get("/").body
    bearer = Browserless(console.url).get("/incidents", {"Authorization": f"Bearer {CONSOLE_TOKEN}"})
    assert bearer.status == 200


def test_a_forged_or_expired_session_is_signed_out_not_an_error(console, clock):
    client = Browserless(console.url)
    client.jar["incident_session"] = "eyJuYW1lIjoibWFsbG9yeSJ9.forged.signature"
    answer = client.get("/incidents/1")
    assert answer.status == 303 and answer.location.startswith("/auth/signin?next=/incidents/1")
    assert any(line.startswith("incident_session=") and "Max-Age=0" in line for line in answer.cookies)
    with console.ctx.sessions() as session:
        secret = session.get(StoredSecret, "session").value
    expired = URLSafeTimedSerializer(secret, salt="incident-bot.session", signer=EightDaysAgo)
    client = Browserless(console.url, {"incident_session": expired.dumps({"name": "alice", "user": "U01ALICE"})})
    assert client.get("/").status == 303
    good = URLSafeTimedSerializer(secret, salt="incident-bot.session")
    fresh = Browserless(console.url, {"incident_session": good.dumps({"name": "alice", "user": "U01ALICE"})})
    assert fresh.get("/").status == 200


def test_the_session_secret_is_made_once_and_shared(console, database_url, fake_slack, clock, servers):
    client = Browserless(console.url)
    client.post("/auth/signin", {"token": CONSOLE_TOKEN})
    other = start_console(database_url, fake_slack, clock, servers)  # another web process, same database
    try:
        assert Browserless(other.url, dict(client.jar)).get("/").status == 200
    finally:
        other.close()


def test_a_secure_cookie_behind_https():
    response = Response()
    SessionCookies(lambda: "k", secure=True).sign_in(response, Viewer("alice", "U01ALICE"))
    assert "Secure" in response.headers["set-cookie"]


def test_internal_pages_refuse_anonymous_visitors(console):
    client = Browserless(console.url)
    for path in ("/", "/incidents", "/incidents/1", "/incidents/INC-1", "/oncall"):
        answer = client.get(path)
        assert answer.status == 303 and answer.location.startswith("/auth/signin"), path


class EightDaysAgo(TimestampSigner):
    """Signs as if it were eight days ago: past the week a session lasts."""

    def get_timestamp(self) -> int:
        return int(time.time()) - 8 * 86400
