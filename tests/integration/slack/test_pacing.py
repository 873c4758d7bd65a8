"""Slack's budget spent on what people act on (issue 17): only differences are sent, by priority, each
call waiting for its own method's limit only, nothing deferred ever dropped, the oldest incident first.

The fake enforces Slack's tiers on the app's clock; ``spend`` uses up part of a method's budget the
way other work of the process would have."""

import logging
import threading
import time
from datetime import timedelta

from bot.app import retry_slack_sync
from bot.slack.blocks import Message
from bot.slack.budget import POST_BURST, SlackBudget
from tests.integration.helpers import announcement, declare, in_channel, incident, summary
from tests.integration.slack.test_crashes import first_only

ANNOUNCE = "incidents"  # the built-in configuration's announcement channel


def budget(bot) -> SlackBudget:
    return bot.ctx.gateway.client.budget


def spend(bot, method: str, calls: int, channel: str | None = None) -> None:
    for _ in range(calls):
        assert budget(bot).take(method, channel) == 0.0


def updates(fake, channel: str) -> int:
    return len([c for c in fake.calls_to("chat.update") if c.ok and c.args.get("channel") == channel])


def later(bot, seconds: float) -> None:
    bot.clock.advance(timedelta(seconds=seconds))
    retry_slack_sync(bot.ctx)
    bot.settle()


def test_a_note_changes_neither_live_message_and_costs_no_chat_update(bot, fake_slack):
    fake_slack.enforce_tiers(clock=lambda: bot.clock.now().timestamp())
    row = declare(bot)
    before = len(fake_slack.calls_to("chat.update"))
    in_channel(bot, "note the cache was cold", row)
    assert any("the cache was cold" in text for text in
               [m["text"] for m in fake_slack.messages(row.channel_id)]), "the note is posted in the channel"
    assert len(fake_slack.calls_to("chat.update")) == before, "neither the summary nor the announcement changed"


def test_the_announcement_changes_only_when_one_of_its_own_fields_does(bot, fake_slack):
    row = declare(bot, "declare sev3 Checkout is slow")
    bot.click("incident_acknowledge", row.id, user="U02BOB", channel=row.channel_id)
    bot.settle()
    assert updates(fake_slack, row.channel_id) == 1, "the summary shows the acknowledgement"
    assert updates(fake_slack, row.announcement_channel_id) == 0, "the announcement shows no acknowledgement"
    in_channel(bot, "sev sev4 smaller than feared", row)
    assert (updates(fake_slack, row.channel_id), updates(fake_slack, row.announcement_channel_id)) == (2, 1)
    assert "sev4" in announcement(bot, fake_slack)["text"]


def test_when_the_budget_is_short_a_change_goes_first_and_the_topic_follows(bot, fake_slack):
    fake_slack.enforce_tiers(clock=lambda: bot.clock.now().timestamp())
    row = declare(bot)
    spend(bot, "conversations.setTopic", 18)  # two left: what can wait leaves them to what cannot
    in_channel(bot, "sev sev2 smaller than feared", row)
    assert "sev2" in announcement(bot, fake_slack)["text"], "the severity is shown at once"
    assert "SEV1" in incident(bot, row.id).channel_topic, "the topic waits for the budget"
    waiting = incident(bot, row.id)
    assert waiting.sync_retry_at is not None and waiting.sync_failures == 0
    later(bot, 61)
    assert "SEV2" in incident(bot, row.id).channel_topic, "deferred, then set"
    assert fake_slack.rate_limited_calls() == []


def test_a_stakeholder_update_reaches_the_thread_while_chat_update_is_over_budget(bot, fake_slack):
    fake_slack.enforce_tiers(clock=lambda: bot.clock.now().timestamp())
    row = declare(bot)
    spend(bot, "chat.update", 50)
    in_channel(bot, "update Payments are back, watching error rates", row)
    thread = [m for m in fake_slack.messages(row.announcement_channel_id) if m.get("thread_ts") == row.announcement_ts]
    assert any("Payments are back" in m["text"] for m in thread), "the thread post waited for nothing but its own limit"
    assert "Payments are back" not in announcement(bot, fake_slack)["blocks"].__repr__(), "chat.update waits its turn"
    later(bot, 61)
    assert "Payments are back" in announcement(bot, fake_slack)["blocks"].__repr__()
    assert "Payments are back" in summary(bot, fake_slack)["blocks"].__repr__()
    assert fake_slack.rate_limited_calls() == []


def test_the_slack_is_answering_again_dm_waits_for_the_budget_and_then_goes(bot, fake_slack):
    fake_slack.fail("conversations.create", status=500, times=3)
    bot.command("declare sev1 Checkout is down")
    bot.settle()
    assert incident(bot).sync_failures == 1
    bot.clock.advance(timedelta(seconds=5))
    spend(bot, "chat.postMessage", 4, channel="U01ALICE")  # the declarer's DM conversation is out of posts
    later(bot, 0)
    row = incident(bot)
    assert row.channel_id is not None and fake_slack.messages("U01ALICE") == [], "deferred, not dropped"
    later(bot, 2)
    [dm] = fake_slack.messages("U01ALICE")
    assert dm["text"] == f"Slack is answering again: INC-1 is ready in <#{row.channel_id}>."
    later(bot, 61)
    assert len(fake_slack.messages("U01ALICE")) == 1, "and sent once"


def test_under_a_backlog_the_oldest_incidents_are_announced_first_at_slacks_pace(bot, fake_slack):
    fake_slack.enforce_tiers(clock=lambda: bot.clock.now().timestamp())
    # The announcement channel's burst is spent first, so every incident's sync has asked (and waits) before
    # a post goes: the order is the budget's, not that of threads racing on a busy machine (incident 5's
    # sync once asked before 4's had, and took the burst's last post).
    spend(bot, "chat.postMessage", POST_BURST, channel=f"#{ANNOUNCE}")
    for n in range(25):  # five more than Tier 2's twenty channels a minute
        bot.command(f"declare sev3 Outage {n}")
    bot.settle(60)
    announced = []
    for _ in range(30):
        announced.append(sorted(i.id for i in bot.ctx.incidents.list_open() if i.announcement_ts))
        later(bot, 1)
    assert announced[0] == [], "no post before the channel's budget allows one"
    assert all(ids == list(range(1, len(ids) + 1)) for ids in announced), f"in order of declaration: {announced}"
    assert len(announced[-1]) == 25, "a post a second in the announcement channel, none waiting for its channel"
    assert fake_slack.rate_limited_calls() == []


def test_an_answer_by_dm_waits_for_the_budget_instead_of_being_dropped(bot, fake_slack, caplog):
    caplog.set_level(logging.INFO, logger="bot.slack.notices")
    spend(bot, "chat.postMessage", 4, channel="U02BOB")
    answering = threading.Thread(target=bot.ctx.notices.reply, args=(None, Message(text="Your shift was taken"), "U02BOB"))
    answering.start()
    deadline = time.monotonic() + 10
    while "waits" not in caplog.text:
        assert time.monotonic() < deadline, "the answer was neither sent nor held for the budget"
        time.sleep(0.01)
    bot.clock.advance(timedelta(seconds=2))
    answering.join(15)
    assert [m["text"] for m in fake_slack.messages("U02BOB")] == ["Your shift was taken"]


def test_a_change_made_during_a_pass_that_waits_for_the_budget_is_not_left_behind_that_wait(bot, fake_slack):
    fake_slack.enforce_tiers(clock=lambda: bot.clock.now().timestamp())
    row = declare(bot, "declare sev3 Checkout is slow")
    spend(bot, "conversations.setTopic", 19)  # the next topic waits a minute
    fake_slack.set_latency("chat.update", 1.5, when=first_only())
    bot.command("sev sev2 worse than it looked", channel=row.channel_id)
    fake_slack.wait_for_request("chat.update")  # the pass is under way: the next change finds it holding the lease
    bot.command("ic <@U04DAVE>", channel=row.channel_id)
    bot.settle()
    assert "Incident Commander: <@U04DAVE>" in announcement(bot, fake_slack)["blocks"].__repr__(), \
        "shown at once, not when the topic's budget comes back"


def test_a_timeline_held_back_by_the_budget_waits_for_it_and_one_that_cannot_go_is_said(bot, fake_slack, monkeypatch):
    from bot.slack import notices

    row = declare(bot)
    while budget(bot).take("chat.postMessage", row.channel_id) == 0.0:
        pass  # the channel is out of posts for now
    monkeypatch.setattr(notices, "REPLY_PATIENCE", 0.0)  # the budget runs on the app's clock, not the wall's
    bot.command("timeline", channel=row.channel_id)
    bot.settle()
    [answer] = fake_slack.responses_for(f"cmd{bot._trigger}")
    assert answer["text"].startswith(":warning: Slack would not take the timeline now (rate limited for")
    bot.clock.advance(timedelta(seconds=61))
    bot.command("timeline", channel=row.channel_id)
    bot.settle()
    assert fake_slack.responses_for(f"cmd{bot._trigger}") == [], "nothing to say: it went"
    assert "timeline" in fake_slack.messages(row.channel_id)[-1]["text"].lower(), "posted once the budget allows"
