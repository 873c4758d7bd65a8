"""Slack says no, or is not there: the incident is recorded anyway, the declarer is told, the bot retries."""

from datetime import timedelta

from bot.app import retry_slack_sync
from bot.jobs.retry import retry_delay
from models import Status
from tests.integration.helpers import incident, summary

RATE_LIMITED = {"error": "ratelimited", "status": 429, "headers": {"Retry-After": "7"}}


def test_a_rate_limit_waits_in_the_database_not_in_a_thread_and_is_no_failure(bot, fake_slack):
    fake_slack.fail("conversations.create", times=1, **RATE_LIMITED)
    bot.command("declare sev1 Checkout is down")
    bot.settle()
    row = incident(bot)
    assert (row.channel_id, row.sync_failures, row.sync_error) == (None, 0, None), "no failure: just not yet"
    assert row.sync_retry_at == bot.clock.now() + timedelta(seconds=7), "when Slack's Retry-After says"
    assert fake_slack.responses_for("cmd1") == [], "nobody is told Slack failed"
    bot.clock.advance(timedelta(seconds=7))
    retry_slack_sync(bot.ctx)
    bot.settle()
    assert incident(bot).channel_id is not None
    assert [c.error for c in fake_slack.calls_to("conversations.create")] == ["ratelimited", None]


def test_a_5xx_is_retried_by_the_sdk(bot, fake_slack):
    fake_slack.fail("chat.postMessage", status=503, times=1)
    bot.command("declare sev1 Checkout is down")
    bot.settle()
    row = incident(bot)
    assert row.summary_ts is not None and row.announcement_ts is not None and row.sync_error is None


def test_when_slack_keeps_refusing_the_incident_is_kept_and_the_declarer_told(bot, fake_slack):
    fake_slack.fail("conversations.create", times=3, status=500)  # the SDK's own two retries too
    response = bot.command("declare sev1 Checkout is down")
    assert "INC-1* is recorded" in response.json()["text"]
    bot.settle(30)

    row = incident(bot)
    assert row.status == Status.INVESTIGATING and row.channel_id is None
    assert row.sync_error == "could not create the channel: HTTP 500"
    assert row.sync_retry_at == bot.clock.now() + retry_delay(1) == bot.clock.now() + timedelta(seconds=5)
    [told] = fake_slack.responses_for("cmd1")
    assert told["response_type"] == "ephemeral"
    assert told["text"].startswith(":warning: INC-1 is recorded, but Slack failed: could not create the channel: HTTP 500.")
    assert "I keep retrying" in told["text"] and "will message you" in told["text"]
    # the announcement does not wait for the channel: the company knows at once
    [announced] = fake_slack.messages(fake_slack.channel_by_name("incidents")["id"])
    assert "INC-1" in announced["text"]

    retry_slack_sync(bot.ctx)  # not due yet: nothing happens
    bot.settle()
    assert len(fake_slack.calls_to("conversations.create")) == 3

    bot.clock.advance(timedelta(seconds=6))
    retry_slack_sync(bot.ctx)
    bot.settle()
    row = incident(bot)
    assert row.channel_name == "inc-1-checkout-is-down" and row.sync_error is None
    assert fake_slack.pins(row.channel_id) == [row.summary_ts]
    assert "INC-1" in summary(bot, fake_slack)["text"]
    assert f"<#{row.channel_id}>" in fake_slack.messages(row.announcement_channel_id)[0]["blocks"].__repr__()
    [dm] = fake_slack.messages("U01ALICE")
    assert dm["text"] == f"Slack is answering again: INC-1 is ready in <#{row.channel_id}>."


def test_a_failed_step_is_not_redone_when_retried(bot, fake_slack):
    fake_slack.fail("pins.add", error="channel_not_found", times=1)
    bot.command("declare sev1 Checkout is down")
    bot.settle()
    row = incident(bot)
    assert row.sync_error == "could not post and pin the summary: channel_not_found"
    assert row.summary_ts is not None and not row.summary_pinned

    bot.clock.advance(timedelta(minutes=1))
    retry_slack_sync(bot.ctx)
    bot.settle()
    row = incident(bot)
    assert row.summary_pinned and row.sync_error is None
    assert len(fake_slack.calls_to("conversations.create")) == 1
    assert len([m for m in fake_slack.messages(row.channel_id) if m["ts"] == row.summary_ts]) == 1
    assert len(fake_slack.messages(row.announcement_channel_id)) == 1


def test_slack_unreachable(make_bot, fake_slack):
    bot = make_bot(SLACK_API_URL="http://127.0.0.1:9/api/")
    response = bot.command("declare sev2 Checkout is down")
    assert response.status == 200 and "INC-1* is recorded" in response.json()["text"]
    bot.settle(30)
    row = incident(bot)
    assert row.channel_id is None
    assert "could not create the channel: Slack unreachable" in row.sync_error
    assert "Slack unreachable" in fake_slack.responses_for("cmd1")[0]["text"]


def test_within_slacks_tiers_work_beyond_the_budget_waits_and_slack_never_says_429(bot, fake_slack):
    fake_slack.enforce_tiers(clock=lambda: bot.clock.now().timestamp())
    for n in range(25):
        bot.command(f"declare sev3 Outage {n}")
    bot.settle(60)
    assert fake_slack.rate_limited_calls() == [], "the bot kept under the tiers instead of hitting them"
    created = len(fake_slack.calls_to("conversations.create"))
    assert created == 20, "Tier 2: twenty channels a minute"
    waiting = [i for i in bot.ctx.incidents.list_open() if i.channel_id is None]
    assert len(waiting) == 5 and all(i.sync_failures == 0 and i.sync_retry_at for i in waiting)
    bot.clock.advance(timedelta(seconds=61))
    retry_slack_sync(bot.ctx)
    bot.settle(60)
    assert [i for i in bot.ctx.incidents.list_open() if i.channel_id is None] == []
    assert fake_slack.rate_limited_calls() == []
