"""Self-tests of message metadata: stored by chat.postMessage and chat.update, read back only on request."""

from __future__ import annotations

import json

from slack_sdk.models.metadata import Metadata

from tests.fakeslack.checks import error_of

DECLARED = {"event_type": "incident_declared", "event_payload": {"incident_id": 42, "severity": "sev1"}}


def test_metadata_is_stored_and_read_back_only_with_include_all_metadata(fake, client):
    cid = fake.add_channel("inc-42")
    posted = client.chat_postMessage(channel=cid, text="Incident declared", metadata=DECLARED)
    plain = client.chat_postMessage(channel=cid, text="no metadata here")
    assert posted["message"]["metadata"] == DECLARED
    assert [m["metadata"] for m in fake.messages(cid)] == [DECLARED, None]

    without = client.conversations_history(channel=cid)["messages"]
    assert all("metadata" not in m for m in without)
    with_all = client.conversations_history(channel=cid, include_all_metadata=True)["messages"]
    assert [(m["ts"], m.get("metadata")) for m in with_all] == [(plain["ts"], None), (posted["ts"], DECLARED)]
    thread = client.conversations_replies(channel=cid, ts=posted["ts"], include_all_metadata=True)["messages"]
    assert thread[0]["metadata"] == DECLARED
    assert "metadata" not in client.conversations_replies(channel=cid, ts=posted["ts"])["messages"][0]


def test_metadata_as_a_json_string_a_form_or_an_sdk_model(fake, client):
    cid = fake.add_channel("inc-1")
    client.api_call("chat.postMessage", params={"channel": cid, "text": "form", "metadata": json.dumps(DECLARED)})
    client.api_call("chat.postMessage", json={"channel": cid, "text": "json string", "metadata": json.dumps(DECLARED)})
    client.chat_postMessage(channel=cid, text="model",
                            metadata=Metadata(event_type="incident_declared", event_payload={"incident_id": 42,
                                                                                            "severity": "sev1"}))
    assert [m["metadata"] for m in fake.messages(cid)] == [DECLARED] * 3


def test_update_keeps_replaces_or_removes_metadata(fake, client):
    cid = fake.add_channel("inc-1")
    ts = client.chat_postMessage(channel=cid, text="open", metadata=DECLARED)["ts"]
    client.chat_update(channel=cid, ts=ts, text="still open")
    assert fake.messages(cid)[0]["metadata"] == DECLARED  # absent: kept, as Slack documents
    resolved = {"event_type": "incident_resolved", "event_payload": {"incident_id": 42}}
    assert client.chat_update(channel=cid, ts=ts, text="resolved", metadata=resolved)["message"]["metadata"] == resolved
    assert fake.messages(cid)[0]["metadata"] == resolved
    client.chat_update(channel=cid, ts=ts, text="bare", metadata={})  # an empty object removes it
    assert fake.messages(cid)[0]["metadata"] is None
    assert "metadata" not in client.conversations_history(channel=cid, include_all_metadata=True)["messages"][0]


def test_malformed_metadata_is_refused_as_slack_does(fake, client):
    cid = fake.add_channel("inc-1")

    def post(metadata):
        return client.api_call("chat.postMessage", json={"channel": cid, "text": "x", "metadata": metadata})

    assert error_of(lambda: post(["not", "an", "object"])) == "invalid_metadata_format"
    assert error_of(lambda: post({"event_type": "x"})) == "invalid_metadata_schema"
    assert error_of(lambda: post({"event_type": "", "event_payload": {}})) == "invalid_metadata_schema"
    assert error_of(lambda: post({})) == "invalid_metadata_schema"
    assert fake.messages(cid) == []
    assert error_of(lambda: post("{not json")) == "invalid_arguments"  # a violation: the bot sent broken JSON
    assert fake.violations.pop().endswith("argument 'metadata' is not valid JSON")


def test_messages_added_by_a_test_carry_metadata(fake, client):
    cid = fake.add_channel("inc-1")
    ts = fake.add_message(cid, "from another app", "U01ALICE", metadata=DECLARED)
    fake.add_message(cid, "plain", "U01ALICE")
    assert [m["metadata"] for m in fake.messages(cid)] == [DECLARED, None]
    history = client.conversations_history(channel=cid, oldest=ts, inclusive=True, include_all_metadata=True)
    assert history["messages"][-1]["metadata"] == DECLARED
