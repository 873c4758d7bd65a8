"""Self-tests of token scopes (scopes.py) and of posting to channels the bot is not in."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakeslack import FakeSlack
from tests.fakeslack.checks import error_of
from tests.fakeslack.scopes import SCOPES, alternatives, missing

BOT_SCOPES = ["channels:manage", "channels:read", "channels:history", "chat:write", "chat:write.public",
              "pins:write", "im:write", "users:read", "usergroups:read"]


def refusal(call) -> dict:
    with pytest.raises(SlackApiError) as info:
        call()
    return dict(info.value.response.data)


def test_a_missing_scope_is_refused_as_slack_does(fake, client):
    fake.grant(["chat:write", "channels:read"])
    assert refusal(lambda: client.conversations_create(name="inc-1")) == {
        "ok": False, "error": "missing_scope", "needed": "channels:manage,channels:write",
        "provided": "chat:write,channels:read"}
    assert fake.channels == {}  # refused before anything happened
    assert refusal(lambda: client.conversations_create(name="inc-1", is_private=True))["needed"] == "groups:write"
    assert refusal(lambda: client.users_info(user="UBOT"))["needed"] == "users:read"
    assert client.auth_test()["ok"] and client.views_open(trigger_id="1.2.a", view={"type": "modal"})["ok"]


def test_conversation_methods_need_the_scope_of_the_conversations_kind(fake, client):
    public, private = fake.add_channel("inc-1"), fake.add_channel("secret", is_private=True)
    fake.add_user("U01ALICE")
    dm = fake.dm_channel("U01ALICE")
    fake.grant(["channels:history", "im:history", "channels:read"])
    assert client.conversations_history(channel=public)["ok"] and client.conversations_history(channel=dm)["ok"]
    assert refusal(lambda: client.conversations_history(channel=private))["needed"] == "groups:history"
    assert client.conversations_list()["ok"]
    assert refusal(lambda: client.conversations_list(types="public_channel,private_channel"))["needed"] == "groups:read"
    assert refusal(lambda: client.conversations_open(users="U01ALICE"))["needed"] == "im:write"


def test_grant_none_and_reset_restore_every_scope(fake, client):
    fake.grant([])
    assert error_of(lambda: client.conversations_create(name="inc-1")) == "missing_scope"
    fake.grant(None)
    assert client.conversations_create(name="inc-1")["ok"]
    fake.grant([])
    fake.reset()
    assert client.conversations_create(name="inc-1")["ok"]


def test_scopes_given_to_the_constructor_survive_reset():
    with FakeSlack(scopes=["chat:write"]) as fake:
        client = WebClient(token="xoxb-test", base_url=fake.base_url)
        fake.reset()
        cid = fake.add_channel("inc-1")
        assert client.chat_postMessage(channel=cid, text="x")["ok"]
        assert error_of(lambda: client.pins_add(channel=cid, timestamp=fake.messages(cid)[0]["ts"])) == "missing_scope"
        assert fake.violations == []


def test_the_app_level_token_has_scopes_of_its_own(fake, client):
    fake.grant([])  # the bot token's: apps.connections.open does not use it
    assert client.apps_connections_open(app_token="xapp-test")["ok"]
    fake.grant([], app_level=True)
    assert refusal(lambda: client.apps_connections_open(app_token="xapp-test"))["needed"] == "connections:write"


def test_a_method_the_table_lacks_is_a_violation_with_a_restricted_token(fake, client):
    fake.grant(["chat:write"])
    assert client.emoji_list()["ok"]
    assert fake.violations.pop() == "emoji.list: no scopes known for it with a restricted token: add it to scopes.py"


def test_without_a_documented_missing_scope_the_fake_reports_the_gap(fake, client, monkeypatch):
    spec = fake.ref.spec("pins.add")
    monkeypatch.setitem(fake.ref._specs, "pins.add",
                        {**spec, "errors": {k: v for k, v in spec["errors"].items() if k != "missing_scope"}})
    cid = fake.add_channel("inc-1")
    ts = fake.add_message(cid, "x", "U01ALICE")
    fake.grant(["chat:write"])
    assert client.pins_add(channel=cid, timestamp=ts)["ok"]
    assert "documents no missing_scope" in fake.violations.pop()


def test_the_table_names_real_methods_that_document_missing_scope(fake):
    for method in SCOPES:
        assert fake.ref.has(method), method
        assert "missing_scope" in fake.ref.spec(method)["errors"], method
    assert alternatives("conversations.setTopic", "public_channel") == ("channels:manage", "channels:write.topic")
    assert alternatives("chat.postMessage", "im") == ("chat:write",)


def test_missing_checks_a_manifest_against_the_methods_called():
    called = ["conversations.create", "conversations.history", "chat.postMessage", "conversations.open",
              "usergroups.users.list", "views.open", "auth.test"]
    assert missing(called, BOT_SCOPES) == {}
    assert missing(called, BOT_SCOPES, kind="private_channel") == {
        "conversations.create": ("groups:write",), "conversations.history": ("groups:history",),
        "conversations.open": ("groups:write",)}
    assert missing(called + ["dnd.info", "emoji.list"], ["chat:write"])["dnd.info"] == ("dnd:read",)
    assert missing(["emoji.list"], [])["emoji.list"] is None


def test_posting_needs_membership_or_chat_write_public(fake, client):
    public = fake.add_channel("announcements", members=())
    private = fake.add_channel("secret", is_private=True, members=["U01ALICE"])
    assert client.chat_postMessage(channel=public, text="every scope")["ok"]
    assert client.chat_postMessage(channel="#announcements", text="by name")["ok"]
    assert error_of(lambda: client.chat_postMessage(channel=private, text="x")) == "channel_not_found"
    fake.grant(["chat:write"])
    assert error_of(lambda: client.chat_postMessage(channel=public, text="x")) == "not_in_channel"
    assert error_of(lambda: client.chat_postMessage(channel="#secret", text="x")) == "channel_not_found"
    fake.grant(["chat:write", "chat:write.public"])
    assert client.chat_postMessage(channel=public, text="public")["ok"]
    assert [m["text"] for m in fake.messages(public)] == ["every scope", "by name", "public"]
    assert fake.messages(private) == []
    member = fake.add_channel("incidents")  # the default: the bot is in it
    assert client.chat_postMessage(channel=member, text="x")["ok"]
