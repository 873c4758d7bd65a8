"""Self-tests of Slack's rate tiers (ratelimits.py), off unless a test turns them on."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

VIEW = {"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": []}


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def throttled(call) -> str:
    """The Retry-After of a call refused with HTTP 429 ratelimited."""
    with pytest.raises(SlackApiError) as info:
        call()
    assert (info.value.response.status_code, info.value.response["error"]) == (429, "ratelimited")
    return info.value.response.headers["Retry-After"]


def test_tiers_are_off_by_default(fake, client):
    cid = fake.add_channel("inc-1")
    for i in range(25):
        client.conversations_setTopic(channel=cid, topic=f"topic {i}")
    assert all(c.ok for c in fake.calls) and fake.rate_limited_calls() == []


@pytest.mark.parametrize("method, limit", [("conversations.setTopic", 20), ("chat.update", 50),
                                           ("chat.postEphemeral", 100)])
def test_each_tier_allows_its_calls_per_minute_in_a_sliding_window(fake, client, method, limit):
    cid = fake.add_channel("inc-1")
    ts = fake.add_message(cid, "summary", "UBOT")
    fake.add_user("U01ALICE")
    call = {"conversations.setTopic": lambda: client.conversations_setTopic(channel=cid, topic="t"),
            "chat.update": lambda: client.chat_update(channel=cid, ts=ts, text="t"),
            "chat.postEphemeral": lambda: client.chat_postEphemeral(channel=cid, user="U01ALICE", text="t")}[method]
    clock = Clock()
    fake.enforce_tiers(clock=clock)
    for _ in range(limit - 1):
        call()
    clock.now += 30
    call()  # the window now holds `limit` calls: the first limit-1 at 1000 s, the last at 1030 s
    assert throttled(call) == "30"
    clock.now += 29.5
    assert throttled(call) == "1"  # whole seconds, rounded up
    clock.now += 0.5  # the first limit-1 calls leave the window
    for _ in range(limit - 1):
        call()
    assert throttled(call) == "30"
    assert [c.method for c in fake.rate_limited_calls()] == [method] * 3
    assert fake.peak_rate(method) == 2 * limit + 2  # refused calls count too: Slack saw them


def test_methods_count_separately_and_scale_speeds_the_tiers_up(fake, client):
    cid = fake.add_channel("inc-1")
    clock = Clock()
    fake.enforce_tiers(scale=60, clock=clock)  # Tier 2: 20 a second
    for _ in range(20):
        client.conversations_setTopic(channel=cid, topic="t")
    assert throttled(lambda: client.conversations_setTopic(channel=cid, topic="t")) == "1"
    assert client.pins_add(channel=cid, timestamp=fake.add_message(cid, "x", "UBOT"))["ok"]  # another Tier 2 method
    assert client.auth_test()["ok"] and client.chat_getPermalink(channel=cid, message_ts=fake.messages(cid)[0]["ts"])
    clock.now += 1
    assert client.conversations_setTopic(channel=cid, topic="t")["ok"]


def test_post_message_is_a_bucket_per_channel_however_it_is_named(fake, client):
    first, second = fake.add_channel("inc-1"), fake.add_channel("inc-2")
    fake.add_user("U01ALICE")
    clock = Clock()
    fake.enforce_tiers(clock=clock, burst=3)
    for channel in (first, "#inc-1", "inc-1"):
        client.chat_postMessage(channel=channel, text="burst")
    assert throttled(lambda: client.chat_postMessage(channel=first, text="x")) == "1"
    assert client.chat_postMessage(channel=second, text="other channel")["ok"]
    clock.now += 1  # one message a second
    assert client.chat_postMessage(channel=first, text="after a second")["ok"]
    assert throttled(lambda: client.chat_postMessage(channel="#inc-1", text="x")) == "1"
    for _ in range(3):
        client.chat_postMessage(channel="U01ALICE", text="dm")
    assert throttled(lambda: client.chat_postMessage(channel=fake.dm_channel("U01ALICE"), text="x")) == "1"
    assert fake.peak_rate("chat.postMessage", channel=second) == 1


def test_rate_limited_calls_are_the_tiers_refusals_only(fake, client):
    fake.fail("conversations.create", error="ratelimited", status=429, headers={"Retry-After": "1"})
    with pytest.raises(SlackApiError):
        client.conversations_create(name="inc-1")
    assert fake.rate_limited_calls() == []
    fake.enforce_tiers(clock=Clock())
    fake.reset()  # turns the tiers off again
    for i in range(25):
        client.conversations_create(name=f"inc-{i}")
    assert fake.rate_limited_calls() == []


def test_the_sdk_waits_out_retry_after_on_a_real_clock(fake):
    client = WebClient(token="xoxb-test", base_url=fake.base_url,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    cid = fake.add_channel("inc-1")
    fake.enforce_tiers(scale=60)
    for _ in range(21):
        assert client.conversations_setTopic(channel=cid, topic="t")["ok"]
    refused = fake.rate_limited_calls()
    assert len(refused) <= 1 and all(c.status == 429 for c in refused)
    assert len([c for c in fake.calls if c.ok]) == 21


def test_peak_rate_counts_calls_in_the_busiest_window(fake, client):
    assert fake.peak_rate("auth.test") == 0
    for _ in range(3):
        client.auth_test()
    assert fake.peak_rate("auth.test") == 3
    assert fake.peak_rate("auth.test", window=1e-9) == 1
