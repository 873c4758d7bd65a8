"""Slack did the work but its answer was lost: nothing is doubled, nothing is orphaned (issue 7, items 4 and 5)."""

from datetime import timedelta

from bot.app import retry_slack_sync
from tests.fakeslack.server import BOT_USER
from tests.integration.helpers import declare, incident


def retry(bot) -> None:
    bot.clock.advance(timedelta(minutes=1))
    retry_slack_sync(bot.ctx)
    bot.settle()


def test_a_channel_created_whose_answer_was_lost_is_adopted_not_doubled(bot, fake_slack):
    fake_slack.lose_answers("conversations.create")  # slack-sdk asks again and hears name_taken
    row = declare(bot)
    assert row.channel_name == "inc-1-checkout-is-down"
    assert [c["name"] for c in fake_slack.channels.values() if c["name"].startswith("inc-")] == ["inc-1-checkout-is-down"]
    assert row.sync_error is None and fake_slack.pins(row.channel_id) == [row.summary_ts]


def test_a_taken_name_that_is_not_the_bots_own_gets_a_suffix(bot, fake_slack):
    fake_slack.add_channel("inc-1-checkout-is-down")  # someone else's
    fake_slack.add_channel("inc-1-checkout-is-down-2", creator=BOT_USER, created=0)  # the bot's, long ago
    row = declare(bot)
    assert row.channel_name == "inc-1-checkout-is-down-3"


def test_a_summary_posted_whose_answer_was_lost_is_found_again_not_posted_twice(bot, fake_slack):
    fake_slack.lose_answers("chat.postMessage", when=lambda args: args.get("channel", "").startswith("C0")
                            and "#" not in args["channel"] and "INC-1 (sev1)" in args.get("text", ""))
    row = declare(bot)
    assert "post and pin the summary" in incident(bot).sync_error
    retry(bot)
    row = incident(bot)
    summaries = [m for m in fake_slack.messages(row.channel_id) if m["text"].startswith("INC-1 (sev1)")]
    assert len(summaries) == 1 and row.summary_ts == summaries[0]["ts"]
    assert fake_slack.pins(row.channel_id) == [row.summary_ts] and row.sync_error is None
    announced = [m for m in fake_slack.messages(row.announcement_channel_id) if m.get("thread_ts") is None]
    assert len(announced) == 1


def test_a_dm_whose_answer_was_lost_is_not_sent_twice(make_bot, fake_slack):
    fake_slack.add_user("U06CTO", name="cto")
    bot = make_bot(config={"stakeholders": {"execs": {"users": ["U06CTO"]}}})
    fake_slack.lose_answers("chat.postMessage", when=lambda args: args.get("channel") == "U06CTO")
    row = declare(bot)
    bot.command("update Payments fail for EU cards", channel=row.channel_id)
    bot.settle()
    assert "send direct messages" in incident(bot).sync_error
    retry(bot)
    assert len(fake_slack.messages("U06CTO")) == 1 and incident(bot).sync_error is None
