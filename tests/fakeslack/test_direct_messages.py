"""Self-tests of direct messages: one D… conversation per user, however the bot names it."""

from __future__ import annotations

from tests.fakeslack.checks import error_of


def test_posting_to_a_user_answers_and_stores_under_the_dm_id(fake, client):
    fake.add_user("U01ALICE", name="alice")
    first = client.chat_postMessage(channel="U01ALICE", text="you are on call")
    dm = first["channel"]
    assert dm.startswith("D") and dm == fake.dm_channel("U01ALICE")
    second = client.chat_postMessage(channel=dm, text="still on call")
    assert second["channel"] == dm
    assert [m["text"] for m in fake.messages("U01ALICE")] == ["you are on call", "still on call"]
    assert fake.messages(dm) == fake.messages("U01ALICE")

    history = client.conversations_history(channel=dm)["messages"]  # the bot is in its DMs
    assert [m["text"] for m in history] == ["still on call", "you are on call"]
    client.chat_update(channel=dm, ts=first["ts"], text="no longer on call")
    assert fake.messages("U01ALICE")[0]["text"] == "no longer on call"
    assert client.chat_getPermalink(channel=dm, message_ts=first["ts"])["channel"] == dm


def test_conversations_open_gives_the_same_dm_every_time(fake, client):
    fake.add_user("U01ALICE", name="alice")
    opened = client.conversations_open(users="U01ALICE")
    dm = opened["channel"]["id"]
    assert opened["channel"] == {"id": dm} and "already_open" not in opened
    again = client.conversations_open(users=["U01ALICE"], return_im=True)
    assert again["already_open"] is True and again["no_op"] is True
    assert again["channel"]["id"] == dm and again["channel"]["is_im"] is True and again["channel"]["user"] == "U01ALICE"
    assert client.conversations_open(channel=dm)["channel"]["id"] == dm
    assert client.chat_postMessage(channel="U01ALICE", text="hi")["channel"] == dm
    info = client.conversations_info(channel=dm)["channel"]
    assert (info["id"], info["is_im"], info["user"]) == (dm, True, "U01ALICE")
    assert client.conversations_members(channel=dm)["members"] == ["U01ALICE", "UBOT"]
    assert [c["id"] for c in client.conversations_list(types="im")["channels"]] == [dm]
    assert dm not in fake.channels  # channels stays public and private channels only


def test_unknown_users_and_dms(fake, client):
    assert error_of(lambda: client.chat_postMessage(channel="U404", text="x")) == "channel_not_found"
    assert error_of(lambda: client.conversations_open(users="U404")) == "user_not_found"
    assert error_of(lambda: client.conversations_open(channel="D404")) == "channel_not_found"
    assert error_of(lambda: client.conversations_history(channel="D404")) == "channel_not_found"
    assert error_of(lambda: client.api_call("conversations.open", json={})) == "users_list_not_supplied"
    assert fake.messages("U404") == []


def test_messages_in_a_dm_from_the_user(fake, client):
    fake.add_user("U01ALICE", name="alice")
    ts = fake.add_message("U01ALICE", "ack", "U01ALICE")
    dm = fake.dm_channel("U01ALICE")
    assert [m["ts"] for m in client.conversations_history(channel=dm)["messages"]] == [ts]
    assert fake.messages(dm)[0]["user"] == "U01ALICE"


def test_group_dms_are_not_modelled(fake, client):
    fake.add_user("U01ALICE")
    fake.add_user("U02BOB")
    assert error_of(lambda: client.conversations_open(users="U01ALICE,U02BOB")) == "invalid_arguments"
    assert "group DMs" in fake.violations.pop()
