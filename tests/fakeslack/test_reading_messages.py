"""Self-tests of the fake's message reads: conversations.history, conversations.replies, permalinks."""

from __future__ import annotations

from tests.fakeslack.checks import error_of


def test_history_lists_top_level_messages_newest_first_within_latest(fake, client):
    cid = fake.add_channel("inc-1")
    first = fake.add_message(cid, "db is slow", "U01ALICE")
    reply = fake.add_message(cid, "looking", "U02BOB", thread_ts=first)
    second = fake.add_message(cid, "rolled back", "U02BOB")

    everything = client.conversations_history(channel=cid)["messages"]
    assert [(m["ts"], m["user"], m["text"]) for m in everything] == [
        (second, "U02BOB", "rolled back"), (first, "U01ALICE", "db is slow")]
    assert "bot_id" not in everything[0]

    at_first = client.conversations_history(channel=cid, latest=first, inclusive=True, limit=1)
    assert [m["ts"] for m in at_first["messages"]] == [first] and at_first["has_more"] is False
    assert client.conversations_history(channel=cid, latest=first, limit=1)["messages"] == []
    at_reply = client.conversations_history(channel=cid, latest=reply, inclusive=True, limit=1)
    assert [m["ts"] for m in at_reply["messages"]] == [first]  # a reply is not in the history
    assert client.conversations_history(channel=cid, limit=1)["has_more"] is True


def test_replies_find_a_thread_from_any_of_its_messages(fake, client):
    cid = fake.add_channel("inc-1")
    parent = fake.add_message(cid, "db is slow", "U01ALICE")
    reply = fake.add_message(cid, "looking", "U02BOB", thread_ts=parent)
    alone = fake.add_message(cid, "unrelated", "U01ALICE")

    thread = client.conversations_replies(channel=cid, ts=reply)["messages"]
    assert [(m["ts"], m.get("thread_ts")) for m in thread] == [(parent, None), (reply, parent)]
    only = client.conversations_replies(channel=cid, ts=reply, oldest=reply, latest=reply, inclusive=True)
    assert [m["text"] for m in only["messages"]] == ["looking"]
    assert [m["ts"] for m in client.conversations_replies(channel=cid, ts=alone)["messages"]] == [alone]
    assert error_of(lambda: client.conversations_replies(channel=cid, ts="1.000001")) == "thread_not_found"


def test_permalinks_name_the_channel_message_and_thread(fake, client):
    cid = fake.add_channel("inc-1")
    parent = fake.add_message(cid, "db is slow", "U01ALICE")
    reply = fake.add_message(cid, "looking", "U02BOB", thread_ts=parent)
    link = client.chat_getPermalink(channel=cid, message_ts=parent)
    assert link["channel"] == cid
    assert link["permalink"] == f"https://fake.slack.com/archives/{cid}/p{parent.replace('.', '')}"
    assert client.chat_getPermalink(channel=cid, message_ts=reply)["permalink"] == (
        f"https://fake.slack.com/archives/{cid}/p{reply.replace('.', '')}?thread_ts={parent}&cid={cid}")
    assert error_of(lambda: client.chat_getPermalink(channel=cid, message_ts="1.000001")) == "message_not_found"


def test_reading_needs_the_bot_in_the_channel_and_valid_timestamps(fake, client):
    outside = fake.add_channel("elsewhere", members=["U01ALICE"])
    ts = fake.add_message(outside, "hi", "U01ALICE")
    assert error_of(lambda: client.conversations_history(channel=outside)) == "not_in_channel"
    assert error_of(lambda: client.conversations_replies(channel=outside, ts=ts)) == "channel_not_found"
    assert error_of(lambda: client.conversations_history(channel="C404")) == "channel_not_found"
    cid = fake.add_channel("inc-1")
    assert error_of(lambda: client.conversations_history(channel=cid, latest="soon")) == "invalid_ts_latest"


def test_a_cursor_is_a_violation_not_a_silent_first_page(fake, client):
    cid = fake.add_channel("inc-1")
    assert error_of(lambda: client.conversations_history(channel=cid, cursor="abc")) == "invalid_arguments"
    assert "cursor pagination" in fake.violations.pop()
