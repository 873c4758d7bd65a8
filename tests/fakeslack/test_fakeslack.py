"""Self-tests of the fake Slack Web API, driven through the real slack_sdk over HTTP."""

from __future__ import annotations

import json
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from tests.fakeslack.apiref import ApiRef
from tests.fakeslack.checks import error_of

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*SEV1* db down"}}]





def test_incident_round_trip(fake, client):
    fake.add_user("U01ALICE", name="alice")
    created = client.conversations_create(name="inc-42-db-down", is_private=False)
    cid = created["channel"]["id"]
    assert created["channel"]["name"] == "inc-42-db-down" and cid.startswith("C")

    client.conversations_setTopic(channel=cid, topic="SEV1: db down")
    client.conversations_invite(channel=cid, users=["U01ALICE"])
    posted = client.chat_postMessage(channel=cid, text="Incident declared", blocks=BLOCKS)
    reply = client.chat_postMessage(channel=cid, text="first update", thread_ts=posted["ts"])
    assert reply["ts"] > posted["ts"]
    client.chat_update(channel=cid, ts=posted["ts"], text="Incident resolved")
    client.pins_add(channel=cid, timestamp=posted["ts"])
    link = client.chat_getPermalink(channel=cid, message_ts=posted["ts"])["permalink"]

    assert link.endswith(posted["ts"].replace(".", ""))
    info = client.conversations_info(channel=cid)["channel"]
    assert info["topic"]["value"] == "SEV1: db down" and info["is_private"] is False
    assert fake.channel_by_name("inc-42-db-down")["members"] == ["UBOT", "U01ALICE"]
    first, second = fake.messages(cid)
    assert (first["text"], first["blocks"], first["update_count"]) == ("Incident resolved", BLOCKS, 1)
    assert second["thread_ts"] == posted["ts"]
    assert fake.pins(cid) == [posted["ts"]]
    assert [c.method for c in fake.calls][:2] == ["conversations.create", "conversations.setTopic"]
    assert fake.calls_to("chat.postMessage")[0].blocks == BLOCKS
    assert all(c.ok for c in fake.calls)

    assert error_of(lambda: client.pins_add(channel=cid, timestamp=posted["ts"])) == "already_pinned"
    assert error_of(lambda: client.pins_add(channel=cid, timestamp="1.000001")) == "message_not_found"
    assert error_of(lambda: client.chat_update(channel=cid, ts="1.000001", text="x")) == "message_not_found"
    assert error_of(lambda: client.conversations_invite(channel=cid, users="U01ALICE")) == "already_in_channel"


def test_channel_names_and_topics(fake, client):
    fake.add_channel("incidents")
    assert error_of(lambda: client.conversations_create(name="incidents")) == "name_taken"
    assert error_of(lambda: client.conversations_create(name="Inc 1")) == "invalid_name_specials"
    assert error_of(lambda: client.conversations_create(name="a" * 81)) == "invalid_name_maxlength"
    cid = client.conversations_create(name="a" * 80, is_private=True)["channel"]["id"]
    assert fake.channels[cid]["is_private"] is True
    assert error_of(lambda: client.conversations_setTopic(channel=cid, topic="x" * 251)) == "too_long"
    assert error_of(lambda: client.conversations_setTopic(channel="C404", topic="x")) == "channel_not_found"


def test_injected_error_is_consumed_in_order(fake, client):
    fake.fail("conversations.create", error="name_taken", times=1)
    assert error_of(lambda: client.conversations_create(name="inc-1")) == "name_taken"
    assert client.conversations_create(name="inc-1")["ok"]
    assert [c.error for c in fake.calls] == ["name_taken", None]
    with pytest.raises(ValueError):
        fake.fail("conversations.create", error="no_such_error_code")


def test_post_by_name_dm_ephemeral_and_unknown_channel(fake, client):
    cid = fake.add_channel("incidents")
    fake.add_user("U01ALICE", name="alice")
    assert client.chat_postMessage(channel="#incidents", text="a")["channel"] == cid
    assert client.chat_postMessage(channel="incidents", text="b")["channel"] == cid
    client.chat_postMessage(channel="U01ALICE", text="you are on call")
    client.chat_postEphemeral(channel=cid, user="U01ALICE", text="only you")
    assert [m["text"] for m in fake.messages(cid)] == ["a", "b"]
    assert fake.messages("U01ALICE")[0]["text"] == "you are on call"
    assert fake.ephemerals[0]["user"] == "U01ALICE"
    assert error_of(lambda: client.chat_postMessage(channel="#nope", text="x")) == "channel_not_found"
    assert client.users_info(user="U01ALICE")["user"]["name"] == "alice"
    assert error_of(lambda: client.users_info(user="U404")) == "user_not_found"
    assert client.auth_test()["user_id"] == "UBOT"


def test_views(fake, client):
    view = {"type": "modal", "callback_id": "declare", "title": {"type": "plain_text", "text": "Declare"},
            "blocks": []}
    opened = client.views_open(trigger_id="123.456.abc", view=view)["view"]
    client.views_update(view_id=opened["id"], view={**view, "blocks": BLOCKS})
    assert [(v["method"], v["id"]) for v in fake.views] == [("views.open", opened["id"]),
                                                            ("views.update", opened["id"])]
    assert fake.views[1]["view"]["blocks"] == BLOCKS
    assert error_of(lambda: client.views_update(view_id="V404", view=view)) == "not_found"


def test_wrong_calls_are_violations(fake, client):
    assert error_of(lambda: client.chat_postMessage(channel="C1", text="x", colour="red")) == "invalid_arguments"
    assert error_of(lambda: client.api_call("chat.postMesage", json={"channel": "C1"})) == "unknown_method"
    assert error_of(lambda: client.api_call("conversations.setTopic", params={"channel": "C1"})) == "invalid_arguments"
    assert error_of(lambda: client.views_open(view={"type": "modal"})) == "invalid_arguments"  # no trigger_id
    assert error_of(lambda: client.api_call("chat.postMessage", params={"channel": "C1", "blocks": "{bad"})) \
        == "invalid_arguments"
    assert [v.split(": ", 1)[1] for v in fake.violations] == [
        "unknown argument 'colour'",
        "unknown method",
        "missing required argument 'topic'",
        "needs one of ['trigger_id', 'interactivity_pointer']",
        "argument 'blocks' is not valid JSON",
    ]
    fake.violations.clear()


def test_team_id_from_bolt_is_allowed_and_form_blocks_stay_strings(fake):
    client = WebClient(token="xoxb-test", base_url=fake.base_url, team_id="T0001")
    cid = client.conversations_create(name="inc-7")["channel"]["id"]
    client.api_call("chat.postMessage", params={"channel": cid, "blocks": '[{"type": "divider"}]'})
    call = fake.calls_to("chat.postMessage")[0]
    assert call.args["team_id"] == "T0001"
    assert call.args["blocks"] == '[{"type": "divider"}]' and call.blocks == [{"type": "divider"}]
    assert fake.messages(cid)[0]["blocks"] == [{"type": "divider"}]


def test_list_members_and_get_requests(fake, client):
    cid = fake.add_channel("incidents")
    fake.add_channel("secret", is_private=True)
    assert [c["name"] for c in client.conversations_list()["channels"]] == ["incidents"]
    assert len(client.conversations_list(types="public_channel,private_channel")["channels"]) == 2
    assert client.conversations_members(channel=cid)["members"] == ["UBOT"]
    # AsyncWebClient sends read methods as GET with a query string.
    request = urllib.request.Request(f"{fake.base_url}conversations.info?channel={cid}",
                                     headers={"Authorization": "Bearer xoxb-test"})
    with urllib.request.urlopen(request) as answer:
        assert json.load(answer)["channel"]["name"] == "incidents"


def test_missing_token_is_not_authed(fake):
    assert error_of(WebClient(base_url=fake.base_url).auth_test) == "not_authed"


def test_other_methods_answer_the_reference_example(fake, client):
    assert client.reactions_add(channel="C1", name="eyes", timestamp="1.1")["ok"]
    pages = list(client.users_list())  # the example's next_cursor must not make this loop forever
    assert len(pages) == 1 and pages[0]["members"]


def test_ratelimit_is_retried_after_retry_after(fake):
    client = WebClient(token="xoxb-test", base_url=fake.base_url,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    fake.fail("conversations.create", error="ratelimited", status=429, headers={"Retry-After": "0"}, times=2)
    assert client.conversations_create(name="inc-9")["ok"]
    assert [(c.status, c.error) for c in fake.calls] == [(429, "ratelimited"), (429, "ratelimited"), (200, None)]


def test_server_error_raises_or_is_retried(fake, client):
    fake.fail("chat.postMessage", status=503, times=2)
    cid = fake.add_channel("incidents")
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel=cid, text="x")
    assert info.value.response.status_code == 503
    retrying = WebClient(token="xoxb-test", base_url=fake.base_url,
                         retry_handlers=[ServerErrorRetryHandler(max_retry_count=1)])
    assert retrying.chat_postMessage(channel=cid, text="x")["ok"]
    assert [c.error for c in fake.calls] == ["http 503", "http 503", None]


def test_latency_lets_concurrent_calls_overlap(fake, client):
    fake.latency = 0.3
    begin = time.monotonic()
    with ThreadPoolExecutor(5) as pool:
        list(pool.map(lambda i: client.conversations_create(name=f"inc-{i}"), range(5)))
    assert time.monotonic() - begin < 3 * 0.3  # 1.5 s if they had run one after another
    calls = fake.calls
    assert max(c.started for c in calls) < min(c.finished for c in calls)  # all five overlapped
    fake.set_latency("auth.test", 0)
    begin = time.monotonic()
    client.auth_test()
    assert time.monotonic() - begin < 0.3


def test_holding_answers_keeps_every_call_arrived_and_unanswered_until_the_block_ends(fake, client):
    with ThreadPoolExecutor(1) as pool:
        with fake.holding_answers():
            answer = pool.submit(client.auth_test)
            fake.wait_for_request("auth.test")
            assert not answer.done() and fake.calls == []
        assert answer.result(timeout=10).get("ok") and [c.method for c in fake.calls] == ["auth.test"]


def test_response_url_is_recorded(fake):
    url = fake.response_url(tag="cmd-1")
    assert WebhookClient(url).send(text="Declared", response_type="ephemeral").status_code == 200
    assert fake.responses == [{"text": "Declared", "response_type": "ephemeral"}]
    assert fake.responses_for("cmd-1") == fake.responses and fake.responses_for("other") == []


def test_reset_clears_everything(fake, client):
    fake.add_channel("incidents")
    fake.fail("auth.test", error="invalid_auth")
    client.chat_postMessage(channel="incidents", text="x")
    fake.reset()
    assert (fake.calls, fake.channels, fake.violations) == ([], {}, [])
    assert client.auth_test()["ok"]


def test_missing_reference_names_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv("SLACK_API_REF", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="nowhere"):
        ApiRef()


def test_a_failure_or_a_latency_can_target_some_calls_only(fake, client):
    fake.add_user("U01ALICE", name="alice")
    fake.add_user("U02BOB", name="bob")
    fake.fail("chat.postMessage", status=500, when=lambda args: args.get("channel") == "U02BOB")
    fake.set_latency("chat.postMessage", 0.5, when=lambda args: args.get("channel") == "U01ALICE")
    assert client.chat_postMessage(channel="U01ALICE", text="slow").get("ok")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="U02BOB", text="refused")
    assert client.chat_postMessage(channel="U02BOB", text="then fine").get("ok")
    slow, refused, fine = fake.calls_to("chat.postMessage")
    assert (refused.status, fine.status) == (500, 200)
    assert slow.finished - slow.started >= 0.5 > fine.finished - fine.started


def test_a_lost_answer_is_carried_out_and_never_answered(fake):
    client = WebClient(token="xoxb-test", base_url=fake.base_url, retry_handlers=[])  # see the loss itself
    fake.lose_answers("conversations.create")
    with pytest.raises(OSError):  # http.client.RemoteDisconnected: the connection closed, no answer
        client.conversations_create(name="inc-1-lost")
    assert fake.channel_by_name("inc-1-lost") is not None
    [call] = fake.calls_to("conversations.create")
    assert call.ok and not call.delivered
    assert error_of(lambda: client.conversations_create(name="inc-1-lost")) == "name_taken"
