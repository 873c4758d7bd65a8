"""A captured signed request sent again within Slack's five-minute window: the command, button or form
is done once, and each replay gets the first answer again, whichever process it reaches."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse

from sqlalchemy import event, select

from bot.slack.ids import Action, DeclareField
from bot.slack.ids import View as ViewId
from models import SlackTrigger
from tests.driver import TEAM
from tests.integration.helpers import declare, incident


def captured_command(bot, text: str, trigger: str, channel: str | None = None) -> tuple[bytes, int]:
    form = {"token": "legacy", "team_id": TEAM, "team_domain": "acme", "channel_id": channel or bot.channel,
            "channel_name": "general", "user_id": "U01ALICE", "user_name": "alice", "command": "/incident",
            "text": text, "api_app_id": "A0001", "is_enterprise_install": "false",
            "response_url": bot.fake.response_url(trigger), "trigger_id": trigger}
    return urllib.parse.urlencode(form).encode(), int(time.time())


def replayed(bot, body: bytes, timestamp: int):
    """The very request again: the same body, timestamp and signature."""
    return bot.post_signed(body, "application/x-www-form-urlencoded", timestamp=timestamp)


def test_a_replayed_declare_makes_one_incident_and_gets_the_first_answer(make_bot, fake_slack):
    bot = make_bot()
    body, timestamp = captured_command(bot, "declare sev2 Checkout is down", "trigger.captured")
    answers = [replayed(bot, body, timestamp) for _ in range(3)]
    bot.settle()
    assert [a.status for a in answers] == [200, 200, 200]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert "INC-1" in answers[0].json()["text"]
    assert [i.title for i in bot.ctx.incidents.list_open()] == ["Checkout is down"]


def test_a_replay_reaching_another_process_is_refused_too(make_bot, fake_slack):
    one, two = make_bot(), make_bot()  # two web processes on one database
    body, timestamp = captured_command(one, "declare sev2 Checkout is down", "trigger.twice")
    first = replayed(one, body, timestamp)
    again = replayed(two, body, timestamp)
    one.settle()
    two.settle()
    assert first.json() == again.json()
    assert len(one.ctx.incidents.list_open()) == 1


def test_a_replayed_declare_form_makes_one_incident(make_bot, fake_slack):
    bot = make_bot()
    payload = {"type": "view_submission", "team": {"id": TEAM, "domain": "acme"}, "api_app_id": "A0001",
               "user": {"id": "U01ALICE", "username": "alice", "team_id": TEAM}, "trigger_id": "trigger.form",
               "view": {"id": "V1", "type": "modal", "callback_id": ViewId.DECLARE, "private_metadata": "",
                        "hash": "h", "state": {"values": {DeclareField.TITLE: {DeclareField.TITLE: {
                            "type": "plain_text_input", "value": "Search is down"}}}}}}
    body, timestamp = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode(), int(time.time())
    answers = [replayed(bot, body, timestamp) for _ in range(3)]
    bot.settle()
    assert [a.status for a in answers] == [200, 200, 200]
    assert [i.title for i in bot.ctx.incidents.list_open()] == ["Search is down"]


def test_a_replayed_button_is_pressed_once(make_bot, fake_slack):
    bot = make_bot()
    row = declare(bot, "declare sev2 Checkout is down")
    payload = {"type": "block_actions", "team": {"id": TEAM, "domain": "acme"}, "api_app_id": "A0001",
               "user": {"id": "U02BOB", "username": "bob", "team_id": TEAM}, "trigger_id": "trigger.button",
               "container": {"type": "message", "channel_id": row.channel_id},
               "response_url": bot.fake.response_url("button"),
               "actions": [{"type": "button", "action_id": Action.RESOLVE, "block_id": "b", "value": str(row.id),
                            "action_ts": "1"}]}
    body, timestamp = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode(), int(time.time())
    replayed(bot, body, timestamp)
    bot.settle()
    resolved = [e.id for e in incident(bot, row.id).events]
    replayed(bot, body, timestamp)
    bot.settle()
    assert [e.id for e in incident(bot, row.id).events] == resolved


def test_a_declare_takes_its_trigger_writes_the_incident_and_keeps_its_answer_in_one_commit(make_bot, fake_slack):
    bot = make_bot()
    work_commits: list[str] = []

    def committed(_connection) -> None:
        if threading.current_thread().name.startswith("listener-work"):  # the ack's work, not the Slack side's
            work_commits.append("COMMIT")

    event.listen(bot.ctx.engine, "commit", committed)
    body, timestamp = captured_command(bot, "declare sev2 Checkout is down", "trigger.one-commit")
    first = replayed(bot, body, timestamp)
    assert "INC-1" in first.json()["text"] and work_commits == ["COMMIT"]
    bot.settle()
    work_commits.clear()
    assert replayed(bot, body, timestamp).json() == first.json()
    assert work_commits == ["COMMIT"]  # the replay wrote nothing but its look at the trigger
    assert len(bot.ctx.incidents.list_open()) == 1


def test_a_command_refused_after_it_read_the_incident_keeps_its_answer_for_a_replay(make_bot, fake_slack):
    """The refusal rolls back the shared transaction, the trigger's take with it: its answer is kept after."""
    bot = make_bot()
    row = declare(bot, "declare sev2 Checkout is down")
    bot.command("resolve", channel=row.channel_id)
    body, timestamp = captured_command(bot, "resolve", "trigger.refused", channel=row.channel_id)
    first = replayed(bot, body, timestamp)
    assert "already resolved" in first.json()["text"]
    with bot.ctx.sessions() as session:
        kept = session.scalar(select(SlackTrigger.answer).where(SlackTrigger.trigger_id == "trigger.refused"))
    assert kept is not None and "already resolved" in kept["reply"][0]
    assert replayed(bot, body, timestamp).json() == first.json()
