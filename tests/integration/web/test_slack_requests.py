"""``/slack/events`` before Bolt: unsigned junk is a 401, a signed body that cannot be read a 400,
neither a 500 nor a stack trace; a refused request is logged in one line without its body; and a
command that merely says "payload" is still a command."""

import logging
import time
import urllib.parse

import pytest

from tests.driver import TEAM, http
from tests.integration.helpers import declare, incident

FORGED = "FORGED-BODY-d41d8cd9"


def post_unsigned(bot, body: bytes, **headers: str):
    return http("POST", f"{bot.url}/slack/events", body,
                {"Content-Type": "application/x-www-form-urlencoded", **headers})


def no_stack_traces(caplog) -> None:
    assert [r for r in caplog.records if r.exc_info] == []
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("body, headers, reason", [
    (bytes(range(256)), {}, "missing or malformed X-Slack-Request-Timestamp"),
    (b"payload=notjson", {}, "missing or malformed X-Slack-Request-Timestamp"),
    (b"command=/incident&text=declare+x", {"X-Slack-Request-Timestamp": "not-a-number", "X-Slack-Signature": "v0=00"},
     "missing or malformed X-Slack-Request-Timestamp"),
    (b"payload=notjson", {"X-Slack-Request-Timestamp": "{now}", "X-Slack-Signature": "v0=00"}, "bad signature"),
    (bytes(range(256)), {"X-Slack-Request-Timestamp": "{now}", "X-Slack-Signature": "v0=00"}, "bad signature"),
])
def test_unsigned_junk_is_refused_with_a_401(bot, caplog, body, headers, reason):
    caplog.set_level(logging.DEBUG)
    response = post_unsigned(bot, body, **{name: value.format(now=int(time.time())) for name, value in headers.items()})
    assert (response.status, response.json()) == (401, {"error": reason})
    no_stack_traces(caplog)
    assert bot.ctx.incidents.list_open() == []


@pytest.mark.parametrize("body, content_type, problem", [
    (b"payload=notjson", "application/x-www-form-urlencoded", "the payload field is not a JSON object"),
    (b"payload=%5B1%5D", "application/x-www-form-urlencoded", "the payload field is not a JSON object"),
    (b'{"type": "event_callback", ', "application/json", "the body is not a JSON object"),
    (b'payload=%7B%22type%22%3A+%22block_actions%22%2C+%22user%22%3A+5%7D', "application/x-www-form-urlencoded",
     "the payload has no user.id"),
    (b'{"type": "event_callback", "event": {"type": "app_mention"}, "authorizations": "x"}', "application/json",
     "the payload is not shaped like Slack's: 'str' object has no attribute 'get'"),
])
def test_a_signed_body_that_cannot_be_read_is_a_400(bot, caplog, body, content_type, problem):
    caplog.set_level(logging.DEBUG)
    response = bot.post_signed(body, content_type)
    assert (response.status, response.json()) == (400, {"error": problem})
    no_stack_traces(caplog)


@pytest.mark.parametrize("signing, reason", [
    ({"secret": "not-the-secret"}, "bad signature"),
    ({"timestamp": int(time.time()) - 10 * 60}, "stale timestamp"),
])
def test_a_refused_request_is_logged_in_one_line_without_its_body(make_bot, caplog, signing, reason):
    caplog.set_level(logging.DEBUG)  # before the app is built: Bolt's loggers take the root's level then
    bot = make_bot()
    response = bot.command(f"declare sev1 {FORGED}", **signing)
    assert response.status == 401
    assert not [r for r in caplog.records if FORGED in r.getMessage()]
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refusals == [f"refused a request to /slack/events: {reason}"]


def command_in(bot, channel_name: str, text: str, tag: str):
    """A slash command from a channel of the given name (the driver's commands all come from #general)."""
    form = {"token": "legacy", "team_id": TEAM, "team_domain": "acme", "channel_id": bot.channel,
            "channel_name": channel_name, "user_id": "U01ALICE", "user_name": "alice", "command": "/incident",
            "text": text, "api_app_id": "A0001", "is_enterprise_install": "false",
            "response_url": bot.fake.response_url(tag), "trigger_id": "trigger.payload"}
    return bot.post_signed(urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded")


def test_a_declare_whose_title_says_payload_is_recorded(bot):
    response = bot.command("declare sev2 Webhook payload too large")
    assert response.status == 200, response.body
    assert "INC-1" in response.json()["text"]
    assert incident(bot).title == "Webhook payload too large"


def test_a_command_from_a_channel_named_payload_alerts_is_answered(bot):
    response = command_in(bot, "payload-alerts", "declare sev3 Disk full on db-2", "payload-channel")
    assert response.status == 200, response.body
    assert "INC-1" in response.json()["text"]
    assert incident(bot).title == "Disk full on db-2"


def test_interactivity_about_a_payload_still_works(bot):
    row = declare(bot, "declare sev2 Webhook payload too large")
    response = bot.click("incident_acknowledge", row.id, user="U02BOB", channel=row.channel_id)
    assert response.status == 200, response.body
    bot.settle()
    assert incident(bot, row.id).acknowledged_by == "U02BOB"
