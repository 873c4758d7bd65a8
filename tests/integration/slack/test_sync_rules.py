"""The Slack sync's rules: one process at a time per incident, the retry ladder, and what a person
sees when the bot itself fails (a reference to find it in the log)."""

import json
import threading
from datetime import timedelta

from sqlalchemy import text

from bot.app import build_context, retry_slack_sync
from bot.incidents.service import Declaration
from bot.jobs.retry import RETRY_STEPS
from tests.integration.helpers import declare, in_channel, incident, summary


def test_two_processes_syncing_one_incident_at_once_post_everything_once(make_bot, fake_slack):
    bot = make_bot()
    other = build_context(bot.ctx.settings, bot.ctx.config, bot.ctx.clock, slack_backoff=0)  # a second process
    try:
        fake_slack.latency = 0.3
        row = bot.ctx.incidents.declare(Declaration(title="Checkout is down", severity="sev1", declared_by="U01ALICE"))
        start = threading.Barrier(2)

        def sync(ctx):
            start.wait()
            ctx.sync.sync(row.id)

        threads = [threading.Thread(target=sync, args=(ctx,)) for ctx in (bot.ctx, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        bot.settle()
    finally:
        other.close()
    synced = incident(bot, row.id)
    assert synced.synced_revision == synced.revision and synced.sync_owner is None
    assert len(fake_slack.calls_to("conversations.create")) == 1
    assert len([m for m in fake_slack.messages(synced.channel_id) if m["text"].startswith("INC-1 (sev1)")]) == 1
    assert len([m for m in fake_slack.messages(synced.announcement_channel_id) if m.get("thread_ts") is None]) == 1


def test_a_failing_sync_is_retried_on_the_ladder_5s_15s_30s_then_every_minute(make_bot, fake_slack):
    bot = make_bot()
    fake_slack.fail("conversations.create", status=500, times=3 * 6)  # the SDK tries 3 times per pass
    declare(bot)
    waits = []
    for _ in range(6):
        row = incident(bot)
        waits.append(row.sync_retry_at - bot.clock.now())
        bot.clock.set(row.sync_retry_at - timedelta(seconds=1))
        retry_slack_sync(bot.ctx)  # not due yet: nothing happens
        bot.settle()
        assert incident(bot).sync_failures == row.sync_failures
        bot.clock.set(row.sync_retry_at)
        retry_slack_sync(bot.ctx)
        bot.settle()
    assert waits == [*RETRY_STEPS, RETRY_STEPS[-1], RETRY_STEPS[-1]]
    assert [s.total_seconds() for s in RETRY_STEPS] == [5, 15, 30, 60]
    assert incident(bot).channel_id is not None, "the seventh pass went through"


def test_an_error_of_ours_shows_the_person_a_reference_found_in_the_log(bot, fake_slack, caplog, engine):
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE timers RENAME TO timers_away"))
    try:
        answer = bot.command("declare sev1 Checkout is down").json()["text"]
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE timers_away RENAME TO timers"))
    assert answer.startswith(":boom: Something went wrong on our side while handling `/incident declare`")
    reference = answer.split("reference `")[1].split("`")[0]
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info is not None, "the log has the reference and the stack trace"
    assert "Traceback" not in answer and bot.ctx.incidents.list_open() == [], "nothing was half-written"


def test_a_button_pressed_on_the_summary_replaces_it_through_its_response_url(make_bot, fake_slack):
    """The change a summary button makes is shown through that button's response URL (replace_original), not
    a ``chat.update``: Tier 3's fifty a minute are the whole workspace's, the response URL is the click's own."""
    bot = make_bot()
    row = declare(bot)
    before = len(fake_slack.calls_to("chat.update"))
    assert bot.click("incident_acknowledge", row.id, channel=row.channel_id, message_ts=row.summary_ts).status == 200
    bot.settle()
    assert "Acknowledged by <@U01ALICE>" in json.dumps(summary(bot, fake_slack)["blocks"])
    updated = [c.args.get("ts") for c in fake_slack.calls_to("chat.update")[before:]]
    assert row.summary_ts not in updated, "the summary was replaced through the response URL"
    assert [body.get("replace_original") for body in fake_slack.responses] == [True]
    assert incident(bot).summary_reply_url is None, "a response URL is used once"
    in_channel(bot, "sev sev2 calmer", row)
    assert "SEV2" in json.dumps(summary(bot, fake_slack)["blocks"])
    assert row.summary_ts in [c.args.get("ts") for c in fake_slack.calls_to("chat.update")[before:]]


def test_a_button_pressed_elsewhere_leaves_the_summary_to_chat_update(make_bot, fake_slack):
    """The page DM's *Acknowledge* gives a response URL that would replace the DM: the summary is not sent there."""
    bot = make_bot()
    row = declare(bot)
    before = len(fake_slack.calls_to("chat.update"))
    assert bot.click("incident_acknowledge", row.id, channel="D0PAGE", message_ts="1700000000.000900").status == 200
    bot.settle()
    assert incident(bot).summary_reply_url is None
    assert "Acknowledged by <@U01ALICE>" in json.dumps(summary(bot, fake_slack)["blocks"])
    assert row.summary_ts in [c.args.get("ts") for c in fake_slack.calls_to("chat.update")[before:]]
    assert not any(body.get("replace_original") for body in fake_slack.responses)
