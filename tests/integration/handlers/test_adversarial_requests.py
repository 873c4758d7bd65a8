"""Adversarial requests, signed as Slack signs them, sent over real HTTP: odd ``reaction_added``
events, malformed interactivity payloads, slash commands with fields missing, and odd bodies.

Slack retries every non-2xx event delivery, and a 5xx or a stack trace in the log helps nobody:
each request must be answered with a 2xx or a 4xx, logged in one line at most, and change nothing.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse

import pytest

from bot.slack.ids import Action, DeclareField, UpdateField
from bot.slack.ids import View as ViewId
from tests.driver import TEAM, http
from tests.integration.helpers import declare, incident

REACTIONS = [
    {"type": "reaction_added", "user": "U02BOB", "reaction": "pushpin"},  # no item
    {"type": "reaction_added", "user": "U02BOB", "reaction": "pushpin", "item": "C1"},
    {"type": "reaction_added", "user": "U02BOB", "reaction": "pushpin", "item": {"type": "message"}},
    {"type": "reaction_added", "user": "U02BOB", "reaction": "pushpin", "item": {"type": "message", "channel": "{ch}"}},
    {"type": "reaction_added", "reaction": "pushpin", "item": {"type": "message", "channel": "{ch}", "ts": "1.2"}},
    {"type": "reaction_added", "user": ["U02BOB"], "reaction": "pushpin",
     "item": {"type": "message", "channel": "{ch}", "ts": "1.2"}},
    {"type": "reaction_added", "user": "U02BOB", "reaction": "pushpin",
     "item": {"type": "message", "channel": ["{ch}"], "ts": "1.2"}},
    {"type": "reaction_added", "user": "U02BOB", "reaction": "pushpin",
     "item": {"type": "message", "channel": "{ch}", "ts": {"x": 1}}},
    {"type": "reaction_added", "user": "U02BOB", "reaction": None, "item": None},
    {"type": "reaction_added", "user": "U02BOB", "reaction": "pushpin",
     "item": {"type": "file", "file": "F1"}},
]

BUTTON = {"type": "button", "action_id": Action.ACKNOWLEDGE, "block_id": "b", "value": "{id}", "action_ts": "1"}
USER = {"id": "U02BOB", "username": "bob", "team_id": TEAM}
INTERACTIONS = [
    {"type": "block_actions", "user": USER, "trigger_id": "t.1"},  # no actions
    {"type": "block_actions", "user": USER, "trigger_id": "t.1", "actions": []},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1", "actions": "x"},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1", "actions": [None]},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1", "actions": ["x"]},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1", "actions": [{"value": "{id}"}]},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1", "actions": [{**BUTTON, "action_id": 5}]},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1", "actions": [{**BUTTON, "action_id": None}]},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1", "actions": [{**BUTTON, "value": 7}]},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1", "actions": [{**BUTTON, "value": None}]},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1", "actions": [{**BUTTON, "value": "99999"}]},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1",
     "actions": [{**BUTTON, "action_id": Action.POST_UPDATE}]},
    {"type": "block_actions", "user": USER, "actions": [{**BUTTON, "action_id": Action.POST_UPDATE}]},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1",
     "actions": [{**BUTTON, "action_id": Action.POST_UPDATE, "value": "x"}]},
    {"type": "block_actions", "user": "U02BOB", "trigger_id": "t.1",
     "actions": [{**BUTTON, "action_id": Action.POST_UPDATE}]},
    {"type": "block_actions", "trigger_id": "t.1", "actions": [{**BUTTON, "action_id": Action.POST_UPDATE}]},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1",
     "actions": [{**BUTTON, "action_id": Action.PUBLIC_UPDATE}]},
    {"type": "block_actions", "user": USER, "actions": [{**BUTTON, "action_id": Action.PUBLIC_UPDATE}]},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1",
     "actions": [{**BUTTON, "action_id": Action.SUBSCRIBE, "value": "abc"}]},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1",
     "actions": [{**BUTTON, "action_id": f"{Action.SNOOZE}_15", "value": "{id}"}]},
    {"type": "block_actions", "user": USER, "trigger_id": "t.1",
     "actions": [{**BUTTON, "action_id": "not_ours"}]},
    {"type": "block_actions", "user": {"id": 5}, "trigger_id": "t.1", "actions": [BUTTON]},
    {"type": "block_actions", "user": {}, "trigger_id": "t.1", "actions": [BUTTON]},
    {"type": "block_actions", "user": None, "trigger_id": "t.1", "actions": [BUTTON]},
    {"type": "view_submission", "user": USER},  # no view
    {"type": "view_submission", "user": USER, "view": None},
    {"type": "view_submission", "user": USER, "view": "x"},
    {"type": "view_submission", "user": USER, "view": {"callback_id": ViewId.DECLARE}},
    {"type": "view_submission", "user": USER, "view": {"callback_id": ViewId.DECLARE, "state": None}},
    {"type": "view_submission", "user": USER, "view": {"callback_id": ViewId.DECLARE, "state": {"values": "x"}}},
    {"type": "view_submission", "user": USER, "view": {"callback_id": ViewId.DECLARE,
                                                       "state": {"values": {DeclareField.TITLE: "x"}}}},
    {"type": "view_submission", "user": USER, "view": {"callback_id": ViewId.DECLARE, "state": {"values": {
        DeclareField.TITLE: {DeclareField.TITLE: {"type": "plain_text_input", "value": 5}}}}}},
    {"type": "view_submission", "user": USER, "view": {"callback_id": ViewId.UPDATE, "private_metadata": "{id}"}},
    {"type": "view_submission", "user": USER, "view": {"callback_id": ViewId.UPDATE, "private_metadata": "{id}",
                                                       "state": {"values": {UpdateField.TEXT: None}}}},
    {"type": "view_submission", "user": USER, "view": {"callback_id": ViewId.UPDATE, "private_metadata": "{id}",
                                                       "state": {"values": {UpdateField.TEXT: {
                                                           UpdateField.TEXT: {"value": ["x"]}}}}}},
    {"type": "view_submission", "user": USER, "view": {"callback_id": 5}},
    {"type": "view_submission", "user": USER, "view": {"callback_id": "not_ours", "state": {"values": {}}}},
    {"type": "view_closed", "user": USER, "view": {"callback_id": ViewId.DECLARE}},
    {"type": "shortcut", "user": USER, "callback_id": "x", "trigger_id": "t.1"},
    {"type": "message_action", "user": USER, "callback_id": "x", "trigger_id": "t.1"},
    {"type": "block_suggestion", "user": USER, "action_id": "x", "value": "a"},
    {"type": "nonsense", "user": USER},
    {"user": USER, "actions": [BUTTON]},  # no type
    {"type": None},
    {"type": ["block_actions"], "user": USER, "actions": [BUTTON]},
]

COMMAND = {"token": "legacy", "team_id": TEAM, "team_domain": "acme", "channel_id": "CGENERAL",
           "channel_name": "general", "user_id": "U02BOB", "user_name": "bob", "command": "/incident",
           "text": "declare sev3 Odd command", "api_app_id": "A0001", "is_enterprise_install": "false",
           "response_url": "{url}", "trigger_id": "trigger.odd"}
COMMANDS = [
    {field: value for field, value in COMMAND.items() if field != missing}
    for missing in ("user_id", "text", "channel_id", "response_url", "trigger_id", "team_id", "command")
] + [
    {**COMMAND, "text": ""},  # opens the form
    {**{f: v for f, v in COMMAND.items() if f != "trigger_id"}, "text": ""},
    {**{f: v for f, v in COMMAND.items() if f != "channel_id"}, "text": "note something"},
    {**{f: v for f, v in COMMAND.items() if f != "user_id"}, "text": "list"},
    {**COMMAND, "user_id": ""},
    {**COMMAND, "text": "ack", "channel_id": ""},
]

ODD_BODIES = [
    (b"", "application/x-www-form-urlencoded"),
    (b"", "application/json"),
    (b"{}", "application/json"),
    (b"[]", "application/json"),
    (b"null", "application/json"),
    (b'"x"', "application/json"),
    (b"payload=", "application/x-www-form-urlencoded"),
    (b"payload=%7B%7D", "application/x-www-form-urlencoded"),
    (b"payload=null", "application/x-www-form-urlencoded"),
    (b"a=1&a=2&command=/incident", "application/x-www-form-urlencoded"),
    (b"command=/incident", "application/x-www-form-urlencoded"),
    (b"command=/other&text=x&user_id=U1", "application/x-www-form-urlencoded"),
    (b'{"type": "url_verification"}', "application/json"),
    (b'{"type": "url_verification", "challenge": 5}', "application/json"),
    (b'{"type": "event_callback"}', "application/json"),
    (b'{"type": "event_callback", "event": "x"}', "application/json"),
    (b'{"type": "event_callback", "event": null}', "application/json"),
    (b'{"type": "event_callback", "event": {}}', "application/json"),
    (b'{"type": "event_callback", "event": {"type": 5}}', "application/json"),
    (b'{"type": "event_callback", "event_id": 5, "event": {"type": "reaction_added"}}', "application/json"),
    (b'{"type": "app_rate_limited"}', "application/json"),
    (b"\xef\xbb\xbf{}", "application/json"),
    (b"%%%", "application/x-www-form-urlencoded"),
    (b"text=" + b"x" * 100_000, "application/x-www-form-urlencoded"),
]


@pytest.fixture
def target(make_bot, caplog):
    """A bot with one incident (channel, summary) for the variants to aim at; the log from then on."""
    caplog.set_level(logging.INFO)  # before the app is built: Bolt's loggers take the root's level then
    bot = make_bot()
    row = declare(bot, "declare sev2 Checkout is slow")
    caplog.clear()
    return bot, row


def fill(value, **names):
    """The variant with the incident's id and channel in place of ``{id}`` and ``{ch}``."""
    return json.loads(json.dumps(value).replace("{id}", str(names["id"])).replace("{ch}", names["ch"])
                      .replace("{url}", names["url"]))


def problems_of(bot, caplog, response, what) -> list[str]:
    """What is wrong with the answer to one variant (a 5xx, a stack trace, more than one log line)."""
    bot.settle()
    problems = []
    if response.status >= 500:
        problems.append(f"{what}: HTTP {response.status}")
    if [r for r in caplog.records if r.exc_info] or "Traceback" in caplog.text:
        problems.append(f"{what}: a stack trace in the log")
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    if len(lines) > 1 or any("\n" in line for line in lines):
        problems.append(f"{what}: logged {lines}")
    caplog.clear()
    return problems


def unchanged(bot, row) -> None:
    now = incident(bot, row.id)
    assert (now.acknowledged_at, now.status, now.latest_update) == (None, row.status, None)
    assert [i.id for i in bot.ctx.incidents.list_open()] == [row.id]


def test_reaction_added_variants(target, caplog):
    bot, row = target
    problems = []
    for variant in REACTIONS:
        response = bot.event(fill(variant, id=row.id, ch=row.channel_id, url=""))
        problems += problems_of(bot, caplog, response, variant)
        if response.status != 200:  # Slack retries every event delivery that is not a 2xx
            problems.append(f"{variant}: HTTP {response.status}, not 200")
    assert not problems, "\n".join(problems)
    unchanged(bot, row)


def test_malformed_interactivity_payloads(target, caplog):
    bot, row = target
    problems = []
    for variant in INTERACTIONS:
        response = bot.interact(fill(variant, id=row.id, ch=row.channel_id, url=bot.fake.response_url("odd")))
        problems += problems_of(bot, caplog, response, variant)
    assert not problems, "\n".join(problems)
    unchanged(bot, row)


def test_slash_commands_with_fields_missing(target, caplog):
    bot, row = target
    problems = []
    for variant in COMMANDS:
        form = fill(variant, id=row.id, ch=row.channel_id, url=bot.fake.response_url("odd"))
        response = bot.post_signed(urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded")
        problems += problems_of(bot, caplog, response, variant)
    assert not problems, "\n".join(problems)


def test_signed_odd_bodies(target, caplog):
    bot, row = target
    problems = []
    for body, content_type in ODD_BODIES:
        response = bot.post_signed(body, content_type)
        problems += problems_of(bot, caplog, response, body[:80])
    assert not problems, "\n".join(problems)
    unchanged(bot, row)


def test_odd_timestamps_and_signatures_are_401s(target, caplog):
    bot, row = target
    problems = []
    for timestamp, signature in [("", ""), ("-5", "v0=00"), ("9" * 40, "v0=00"), (str(int(time.time())), ""),
                                 (str(int(time.time())), "v1=abc"), ("1e9", "v0=00"), (" 1", "v0=00")]:
        response = http("POST", f"{bot.url}/slack/events", b"command=/incident&text=list",
                        {"Content-Type": "application/x-www-form-urlencoded",
                         "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature})
        if response.status != 401:
            problems.append(f"{timestamp!r}, {signature!r}: HTTP {response.status}")
        problems += problems_of(bot, caplog, response, (timestamp, signature))
    assert not problems, "\n".join(problems)
