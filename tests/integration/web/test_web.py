"""The HTTP surface besides Slack: health, Slack switched off, and acks that never wait for Slack."""

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from bot.app import build_context, create_bolt_app, create_web_app
from bot.config import IncidentConfig, load_settings
from tests.driver import Server, http


def serve(settings):
    ctx = build_context(settings, IncidentConfig())
    server = Server(create_web_app(ctx, create_bolt_app(ctx)))
    return ctx, server, server.start()


@contextmanager
def served(settings) -> Iterator[str]:
    ctx, server, url = serve(settings)
    try:
        yield url
    finally:
        server.stop()
        ctx.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_health_says_the_database_answers(bot):
    response = http("GET", f"{bot.url}/healthz")
    assert (response.status, response.json()) == (200, {"status": "ok", "database": "ok", "worker": "ok"})


@pytest.mark.parametrize("url", [
    "sqlite:///{tmp}/missing/dir/db.sqlite",
    "postgresql+psycopg://postgres:hunter2@127.0.0.1:{port}/secretdb",
])
def test_health_says_the_database_is_unreachable_and_logs_why(tmp_path, caplog, url):
    """The route is anonymous: the 503 names no host, port, database or driver message; the log does."""
    url = url.format(tmp=tmp_path, port=closed_port())
    with served(load_settings({"DATABASE_URL": url})) as base:
        response = http("GET", f"{base}/healthz")
    assert (response.status, response.json()) == (503, {"status": "error", "database": "unreachable"})
    assert response.elapsed < 1.5
    [logged] = [r.getMessage() for r in caplog.records if "/healthz" in r.getMessage()]
    assert "unable to open database file" in logged or "127.0.0.1" in logged


def test_health_gives_up_on_a_database_that_does_not_answer_within_a_second():
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts connections, never says a word
        url = f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/secretdb"
        with served(load_settings({"DATABASE_URL": url})) as base:
            response = http("GET", f"{base}/healthz")
    assert (response.status, response.json()) == (503, {"status": "error", "database": "not answering within 1s"})
    assert response.elapsed < 1.5


def test_without_a_token_the_server_runs_and_says_slack_is_off(engine, database_url):
    ctx, server, url = serve(load_settings({"DATABASE_URL": database_url}))
    try:
        assert http("GET", f"{url}/healthz").status == 200
        response = http("POST", f"{url}/slack/events", b"command=/incident")
        assert response.status == 503
        assert response.json() == {"error": "Slack is off on this server: set SLACK_BOT_TOKEN and "
                                   "SLACK_SIGNING_SECRET (see the README) and restart it."}
    finally:
        server.stop()
        ctx.close()


def test_acks_do_not_wait_for_slack(bot, fake_slack):
    """With Slack answering nothing until every ack is in, ten declares at once are all acked and recorded."""
    with fake_slack.holding_answers(), ThreadPoolExecutor(10) as pool:
        responses = list(pool.map(lambda i: bot.command(f"declare sev2 Outage {i}"), range(10)))
        assert all(r.status == 200 and "is recorded" in r.json()["text"] for r in responses)
        assert fake_slack.calls == [], "no Slack call had been answered when the acks were sent"
    bot.settle(60)
    assert len(bot.ctx.incidents.list_open()) == 10
    assert len(fake_slack.calls_to("pins.add")) == 10


def test_without_a_signing_secret_http_requests_are_refused(engine, database_url, fake_slack):
    settings = load_settings({"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-test",
                              "SLACK_APP_TOKEN": "xapp-test", "SLACK_API_URL": fake_slack.base_url})
    ctx, server, url = serve(settings)
    try:
        response = http("POST", f"{url}/slack/events", b"command=/incident&text=declare+x",
                        {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=00"})
        assert response.status == 503 and "SLACK_SIGNING_SECRET" in response.json()["error"]
        assert ctx.incidents.list_open() == []
    finally:
        server.stop()
        ctx.close()


def test_the_declare_form_opens_ahead_of_queued_slack_work(bot, fake_slack):
    """Twelve syncs (each three 0.5 s round trips) fill the effect threads; the form's trigger lasts 3 s."""
    fake_slack.latency = 0.5
    for i in range(12):
        bot.command(f"declare sev2 Outage {i}")
    sent = time.monotonic()
    bot.command("")
    bot.settle(60)
    [opened] = fake_slack.calls_to("views.open")
    assert opened.started - sent < 1.0
