"""Self-tests of Sign in with Slack on the fake: the authorize page, openid.connect.token and userInfo."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from slack_sdk import WebClient

from tests.driver import http
from tests.fakeslack.checks import error_of
from tests.fakeslack.openid import CLIENT_ID, CLIENT_SECRET

CALLBACK = "http://127.0.0.1:9/auth/slack/callback"


def authorize(fake, **params) -> str:
    query = {"response_type": "code", "scope": "openid profile", "client_id": CLIENT_ID, "state": "s1",
             "redirect_uri": CALLBACK, **params}
    return f"{fake.url}/openid/connect/authorize?{urllib.parse.urlencode(query)}"


def approve(fake, user: str, decision: str = "allow") -> dict:
    """What the authorize page's button posts; the query of the redirect back to the app."""
    form = {"response_type": "code", "scope": "openid profile", "client_id": CLIENT_ID, "state": "s1",
            "redirect_uri": CALLBACK, "decision": decision, "user": user}
    redirect = _no_redirects().open(urllib.request.Request(
        f"{fake.url}/openid/connect/authorize", data=urllib.parse.urlencode(form).encode(), method="POST"))
    location = redirect.headers["Location"]
    assert location.startswith(CALLBACK + "?")
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def test_the_whole_flow_names_the_person_and_the_workspace(fake):
    fake.add_user("U01ALICE", name="alice")
    page = http("GET", authorize(fake))
    assert page.status == 200 and b"Continue as alice" in page.body
    back = approve(fake, "U01ALICE")
    assert back["state"] == "s1"
    app = WebClient(base_url=fake.base_url)
    token = app.openid_connect_token(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=back["code"],
                                     redirect_uri=CALLBACK, grant_type="authorization_code")
    assert token["token_type"] == "Bearer" and token["access_token"].startswith("xoxp-")
    me = WebClient(token=token["access_token"], base_url=fake.base_url).openid_connect_userInfo()
    assert (me["https://slack.com/user_id"], me["https://slack.com/team_id"], me["name"]) == ("U01ALICE", "T0001", "alice")


def test_a_code_is_good_once_for_its_client_and_redirect(fake):
    fake.add_user("U01ALICE", name="alice")
    app = WebClient(base_url=fake.base_url)

    def exchange(code, secret=CLIENT_SECRET, redirect=CALLBACK):
        return error_of(lambda: app.openid_connect_token(client_id=CLIENT_ID, client_secret=secret, code=code,
                                                         redirect_uri=redirect))

    assert exchange(fake.authorize_code("U01ALICE", CALLBACK), secret="wrong") == "invalid_client"
    assert exchange("made-up") == "invalid_code"
    assert exchange(fake.authorize_code("U01ALICE", CALLBACK), redirect="http://elsewhere/") == "bad_redirect_uri"
    code = fake.authorize_code("U01ALICE", CALLBACK)
    assert app.openid_connect_token(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code,
                                    redirect_uri=CALLBACK)["ok"]
    assert exchange(code) == "invalid_code"
    assert error_of(lambda: WebClient(token="xoxp-forged", base_url=fake.base_url).openid_connect_userInfo()) == "invalid_auth"


def test_cancelling_redirects_with_access_denied(fake):
    fake.add_user("U01ALICE", name="alice")
    assert approve(fake, "U01ALICE", decision="deny") == {"error": "access_denied", "state": "s1"}


def test_an_authorize_request_slack_would_refuse_is_a_violation(fake):
    assert http("GET", authorize(fake, state="", scope="profile")).status == 400
    assert len(fake.violations) == 2
    fake.violations.clear()


def _no_redirects():
    class Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(Keep)
    opener.addheaders = []
    return _Opener(opener)


class _Opener:
    def __init__(self, opener):
        self._opener = opener

    def open(self, request):
        try:
            return self._opener.open(request)
        except urllib.error.HTTPError as redirect:  # a 302 that was not followed
            return redirect
