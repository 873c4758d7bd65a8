"""Self-tests of requests in flight: seen on arrival, carried out even when the client hangs up."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from slack_sdk.errors import SlackApiError


def send_raw(fake, method: str, args: dict) -> socket.socket:
    """A request written straight to a socket, so the test decides when the client goes away."""
    body = json.dumps(args).encode()
    url = urlsplit(fake.url)
    sock = socket.create_connection((url.hostname, url.port))
    sock.sendall(f"POST /api/{method} HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Bearer xoxb-test\r\n"
                 f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    return sock


def test_a_request_is_seen_on_arrival_before_its_answer(fake, client):
    cid = fake.add_channel("inc-1")
    fake.set_latency("chat.postMessage", 0.5)
    with ThreadPoolExecutor(1) as pool:
        posting = pool.submit(client.chat_postMessage, channel=cid, text="summary")
        args = fake.wait_for_request("chat.postMessage")
        assert args["text"] == "summary" and args["channel"] == cid
        assert fake.calls_to("chat.postMessage") == [] and not posting.done()  # still on the wire
        assert posting.result()["ok"]
    assert fake.wait_for_call("chat.postMessage").ok


def test_each_request_is_handed_out_once_and_predicates_pick(fake, client):
    cid = fake.add_channel("inc-1")
    for text in ("one", "two", "three"):
        client.chat_postMessage(channel=cid, text=text)
    client.auth_test()
    assert fake.wait_for_request("chat.postMessage", lambda a: a["text"] == "two")["text"] == "two"
    assert [fake.wait_for_request("chat.postMessage")["text"] for _ in range(2)] == ["one", "three"]
    assert fake.wait_for_request("auth.test") == {}  # no arguments still counts as a request
    with pytest.raises(TimeoutError):
        fake.wait_for_request("chat.postMessage", timeout=0.05)
    with pytest.raises(TimeoutError):
        fake.wait_for_call("pins.add", timeout=0.05)


def test_a_waiter_wakes_when_the_request_arrives(fake, client):
    found = []
    waiter = threading.Thread(target=lambda: found.append(fake.wait_for_request("conversations.create", timeout=5)))
    waiter.start()
    client.conversations_create(name="inc-2")
    waiter.join(5)
    assert found == [{"name": "inc-2"}]


@pytest.mark.parametrize("how", ["close", "reset"])
def test_a_call_whose_client_hung_up_is_still_carried_out_quietly(fake, capfd, how):
    fake.set_latency("conversations.create", 0.3)
    sock = send_raw(fake, "conversations.create", {"name": "inc-killed"})
    assert fake.wait_for_request("conversations.create") == {"name": "inc-killed"}
    if how == "reset":  # a killed process's socket may go away with an RST rather than a FIN
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    call = fake.wait_for_call("conversations.create")
    assert call.ok and call.delivered is False
    assert fake.channel_by_name("inc-killed") is not None
    assert "Traceback" not in capfd.readouterr().err


def test_an_answer_to_a_client_that_reset_while_it_was_written_is_dropped_quietly(fake, capfd):
    # No latency: the answer is written at once, maybe into a socket the client has just reset.
    for i in range(5):
        sock = send_raw(fake, "conversations.create", {"name": f"inc-{i}"})
        fake.wait_for_request("conversations.create")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    for i in range(5):
        assert fake.wait_for_call("conversations.create", lambda c, i=i: c.args["name"] == f"inc-{i}").ok
    assert len(fake.channels) == 5
    assert "Traceback" not in capfd.readouterr().err


def test_a_request_cut_off_before_its_body_ended_is_never_carried_out(fake):
    """A bot killed while writing a request: Slack never sees half of one, so neither does the fake
    (no call, and no violation for arguments that never arrived)."""
    cid = fake.add_channel("inc-1")
    body = json.dumps({"channel": cid, "topic": "Checkout is down"}).encode()
    url = urlsplit(fake.url)
    sock = socket.create_connection((url.hostname, url.port))
    sock.sendall(f"POST /api/conversations.setTopic HTTP/1.1\r\nHost: {url.netloc}\r\n"
                 f"Authorization: Bearer xoxb-test\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(body)}\r\n\r\n".encode() + body[:5])
    sock.shutdown(socket.SHUT_WR)  # the rest never comes
    sock.settimeout(10)
    assert sock.recv(1024) == b"", "the fake hangs up without an answer"
    sock.close()
    assert [c for c in fake.calls if c.method == "conversations.setTopic"] == []
    assert fake.violations == []


def test_per_method_latency_applies_to_that_method_only(fake, client):
    fake.set_latency("auth.test", 0.3)
    begin = time.monotonic()
    client.conversations_create(name="inc-1")
    assert time.monotonic() - begin < 0.3
    begin = time.monotonic()
    client.auth_test()
    assert time.monotonic() - begin >= 0.3
    fake.latency = 0.2  # every other method
    begin = time.monotonic()
    client.conversations_create(name="inc-2")
    assert 0.2 <= time.monotonic() - begin < 0.3 + 0.2


def test_reset_drops_a_call_still_waiting_out_its_latency(fake, client):
    fake.set_latency("conversations.create", 0.3)
    with ThreadPoolExecutor(1) as pool:
        creating = pool.submit(client.conversations_create, name="inc-old")
        fake.wait_for_request("conversations.create")
        fake.reset()
        with pytest.raises(SlackApiError) as info:
            creating.result()
    assert info.value.response.status_code == 503
    assert fake.calls == [] and fake.channels == {}
