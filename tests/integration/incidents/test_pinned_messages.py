"""A :pushpin: reaction on a message in an incident's channel copies it into the timeline (issue 4, points 5 and 8)."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.integration.helpers import declare, in_channel, incident, rendered

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def react(bot, channel: str, ts: str, user: str = "U02BOB", reaction: str = "pushpin", item: dict | None = None):
    """Send Slack's reaction_added event; return once Bolt's listener and the effects it queued have run."""
    response = bot.event({"type": "reaction_added", "user": user, "reaction": reaction,
                          "item": item or {"type": "message", "channel": channel, "ts": ts},
                          "item_user": "U03CAROL", "event_ts": f"{time.time():.6f}"})
    assert response.status == 200, response.body
    bot.settle()


def pins(bot, incident_id: int = 1) -> list:
    return [e for e in incident(bot, incident_id).events if e.kind in ("pinned", "pin_skipped")]


def posted_at(ts: str) -> datetime:
    return EPOCH + timedelta(microseconds=int(Decimal(ts) * 1_000_000))


def test_a_pinned_message_is_copied_with_author_time_and_permalink(bot, fake_slack):
    row = declare(bot)
    ts = fake_slack.add_message(row.channel_id, "Rolling back deploy 42, <!here> hold merges", "U03CAROL")
    react(bot, row.channel_id, ts)

    [pinned] = pins(bot)
    link = f"https://fake.slack.com/archives/{row.channel_id}/p{ts.replace('.', '')}"
    assert (pinned.kind, pinned.at, pinned.actor, pinned.announce) == ("pinned", posted_at(ts), "U02BOB", False)
    assert pinned.data == {"author": "U03CAROL", "message_ts": ts, "permalink": link,
                           "text": "Rolling back deploy 42, <!here> hold merges"}
    # kept as written; wherever it is shown, @here is plain text: posting the timeline pings nobody
    assert pinned.text == ":pushpin: <@U03CAROL>: Rolling back deploy 42, <!here> hold merges (pinned by <@U02BOB>)"
    [read] = fake_slack.calls_to("conversations.history")
    assert {k: read.args[k] for k in ("channel", "latest", "inclusive", "limit")} == {
        "channel": row.channel_id, "latest": ts, "inclusive": "1", "limit": "1"}
    assert fake_slack.calls_to("conversations.replies") == []

    in_channel(bot, "timeline", row)
    timeline = rendered(fake_slack.messages(row.channel_id)[-1]["blocks"])
    assert "Rolling back deploy 42, @here hold merges" in timeline and link in timeline
    assert "<!here>" not in timeline


def test_the_timeline_keeps_the_messages_order_whatever_the_pinning_order(bot, fake_slack):
    row = declare(bot)
    first = fake_slack.add_message(row.channel_id, "Error rate is up", "U01ALICE")
    second = fake_slack.add_message(row.channel_id, "Deploy 42 went out at 08:55", "U03CAROL")
    react(bot, row.channel_id, second)
    react(bot, row.channel_id, first)
    assert [(e.data["message_ts"], e.at) for e in pins(bot)] == [(first, posted_at(first)), (second, posted_at(second))]


def test_a_reply_in_a_thread_is_read_from_its_thread(bot, fake_slack):
    """A reaction event does not say which thread a reply is in: the history misses it, replies finds it."""
    row = declare(bot)
    parent = fake_slack.add_message(row.channel_id, "Checkout returns 500", "U01ALICE")
    reply = fake_slack.add_message(row.channel_id, "The payment provider is down", "U03CAROL", thread_ts=parent)
    react(bot, row.channel_id, reply)

    [pinned] = pins(bot)
    assert (pinned.kind, pinned.at, pinned.data["author"]) == ("pinned", posted_at(reply), "U03CAROL")
    assert pinned.data["text"] == "The payment provider is down"
    assert pinned.data["permalink"].endswith(f"?thread_ts={parent}&cid={row.channel_id}")
    [replies] = fake_slack.calls_to("conversations.replies")
    assert (replies.args["ts"], replies.args["oldest"], replies.args["latest"]) == (reply, reply, reply)


def test_a_message_pinned_twice_is_recorded_once(bot, fake_slack):
    row = declare(bot)
    ts = fake_slack.add_message(row.channel_id, "Failing over to eu-west", "U01ALICE")
    react(bot, row.channel_id, ts, user="U02BOB")
    react(bot, row.channel_id, ts, user="U03CAROL")
    react(bot, row.channel_id, ts, user="U02BOB")  # Slack sending the event again
    assert [(e.kind, e.actor) for e in pins(bot)] == [("pinned", "U02BOB")]
    assert len(fake_slack.calls_to("conversations.history")) == 1  # known already: Slack is not asked again


def test_two_people_pinning_at_the_same_moment_record_it_once(bot, fake_slack):
    row = declare(bot)
    ts = fake_slack.add_message(row.channel_id, "Failing over to eu-west", "U01ALICE")
    fake_slack.set_latency("conversations.history", 0.5)  # both reads are in flight together
    for user in ("U02BOB", "U03CAROL"):
        bot.event({"type": "reaction_added", "user": user, "reaction": "pushpin",
                   "item": {"type": "message", "channel": row.channel_id, "ts": ts}, "event_ts": "1.1"})
    bot.settle()
    assert len(fake_slack.calls_to("conversations.history")) == 2
    assert [e.kind for e in pins(bot)] == ["pinned"]


def test_other_reactions_and_items_are_ignored_without_a_slack_call(bot, fake_slack):
    row = declare(bot)
    ts = fake_slack.add_message(row.channel_id, "Looking into it", "U01ALICE")
    before = len(fake_slack.calls)
    react(bot, row.channel_id, ts, reaction="eyes")
    react(bot, row.channel_id, ts, reaction="round_pushpin")
    react(bot, row.channel_id, ts, item={"type": "file", "file": "F0001"})
    assert fake_slack.calls[before:] == [] and pins(bot) == []


def test_a_pushpin_outside_incident_channels_is_ignored_without_a_slack_call(bot, fake_slack):
    declare(bot)
    general = fake_slack.channel_by_name("general")["id"]
    ts = fake_slack.add_message(general, "Lunch at noon?", "U02BOB")
    before = len(fake_slack.calls)
    react(bot, general, ts)
    assert fake_slack.calls[before:] == [] and pins(bot) == []


@pytest.mark.parametrize("refusal", ["not_in_channel", "channel_not_found"])
def test_a_message_the_bot_cannot_read_is_a_recorded_skip(bot, fake_slack, caplog, refusal):
    row = declare(bot)
    ts = fake_slack.add_message(row.channel_id, "Customer list attached", "U01ALICE")
    fake_slack.fail("conversations.history", error=refusal)
    with caplog.at_level(logging.WARNING):
        react(bot, row.channel_id, ts)

    [skipped] = pins(bot)
    assert (skipped.kind, skipped.at, skipped.actor, skipped.announce) == ("pin_skipped", posted_at(ts), "U02BOB", False)
    assert skipped.data == {"channel": row.channel_id, "message_ts": ts, "reason": refusal}
    assert skipped.text == (f"<@U02BOB> :pushpin:ed a message posted at this time in <#{row.channel_id}>, "
                            f"which could not be copied here: {refusal}")
    assert f"could not copy the :pushpin:ed message {ts}" in caplog.text
    assert not [r for r in caplog.records if r.name == "bot.slack.effects"]  # no effect raised

    react(bot, row.channel_id, ts, user="U03CAROL")  # readable again: pinning again copies it
    assert [(e.kind, e.actor) for e in pins(bot)] == [("pin_skipped", "U02BOB"), ("pinned", "U03CAROL")]


def test_a_deleted_message_is_a_recorded_skip(bot, fake_slack):
    row = declare(bot)
    gone = "1700000000.999999"  # no message has this ts
    react(bot, row.channel_id, gone)
    [skipped] = pins(bot)
    assert (skipped.kind, skipped.data["reason"], skipped.at) == ("pin_skipped", "message_not_found", posted_at(gone))
    assert [c.error for c in fake_slack.calls_to("conversations.replies")] == ["thread_not_found"]


def test_slack_unreachable_is_a_recorded_skip(bot, make_bot, fake_slack, caplog):
    row = declare(bot)
    ts = fake_slack.add_message(row.channel_id, "Rolling back", "U01ALICE")
    offline = make_bot(SLACK_API_URL="http://127.0.0.1:9/api/")  # the same database, Slack out of reach
    with caplog.at_level(logging.WARNING):
        react(offline, row.channel_id, ts)

    [skipped] = pins(bot)
    assert (skipped.kind, skipped.at) == ("pin_skipped", posted_at(ts))
    assert skipped.data["reason"].startswith("Slack unreachable")
    assert "could not copy the :pushpin:ed message" in caplog.text
    assert not [r for r in caplog.records if r.name == "bot.slack.effects"]  # no effect raised
