"""Another process holds the database's write lock: every request is still answered in time.

Slack drops an ack after 3 s. A listener whose work is not done within its deadline acks at once
with an honest notice, and its answer follows through the response URL when the work is over.
"""

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, make_url, text

from bot.slack.blocks.replies import BUSY
from bot.slack.ids import Action, DeclareField
from bot.slack.ids import View as ViewId
from handlers.slack import replies
from tests.driver import http
from tests.integration.helpers import declare, incident

SLACK_ACK_TIMEOUT = 3.0


@pytest.fixture
def held_lock(database_url) -> Callable:
    """A context holding the lock a declare needs, from a connection the bot knows nothing of:
    SQLite's write lock (``BEGIN IMMEDIATE``), or on PostgreSQL an exclusive lock on ``incidents`` and
    ``heartbeats``."""

    @contextmanager
    def hold() -> Iterator[None]:
        if database_url.startswith("sqlite"):
            connection = sqlite3.connect(make_url(database_url).database, isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                connection.execute("ROLLBACK")
                connection.close()
            return
        engine = create_engine(database_url)
        try:
            with engine.connect() as connection, connection.begin() as transaction:
                connection.execute(text("LOCK TABLE incidents, heartbeats IN ACCESS EXCLUSIVE MODE"))
                yield
                transaction.rollback()
        finally:
            engine.dispose()

    return hold


def wait_until(condition: Callable, timeout: float = 20):
    """``condition()``'s first truthy value, polled until ``timeout``."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"still waiting after {timeout}s"
        time.sleep(0.02)
    return value


def test_a_declare_under_a_held_lock_is_acked_in_time_and_answered_when_recorded(bot, fake_slack, held_lock):
    with held_lock():
        response = bot.command("declare sev2 Checkout is down", follow_late=False)
        tag = f"cmd{bot._trigger}"
    assert response.status == 200, response.body
    assert response.elapsed < SLACK_ACK_TIMEOUT
    assert response.json()["text"] == BUSY.text
    [answer] = wait_until(lambda: fake_slack.responses_for(tag))
    assert "INC-1" in answer["text"]
    assert [row.title for row in bot.ctx.incidents.list_open()] == ["Checkout is down"]


def test_a_burst_under_a_held_lock_is_acked_in_time(bot, fake_slack, held_lock):
    """More commands at once than Bolt's stock listener threads (5): none waits for a thread past 3 s."""
    with held_lock(), ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda i: bot.command(f"declare sev3 Outage {i}", follow_late=False), range(8)))
    assert [r.status for r in responses] == [200] * 8
    assert max(r.elapsed for r in responses) < SLACK_ACK_TIMEOUT, [round(r.elapsed, 2) for r in responses]
    wait_until(lambda: len([b for b in fake_slack.responses if "is recorded" in b.get("text", "")]) == 8)
    assert len(bot.ctx.incidents.list_open()) == 8


def test_a_button_under_a_held_lock_says_so_then_what_became_of_it(bot, fake_slack, held_lock):
    row = declare(bot, "declare sev2 Checkout is slow")
    with held_lock():
        response = bot.click(Action.ACKNOWLEDGE, row.id, user="U02BOB", channel=row.channel_id)
        tag = f"act{bot._trigger}"
    assert response.status == 200 and response.elapsed < SLACK_ACK_TIMEOUT
    busy, done = wait_until(lambda: (answers := fake_slack.responses_for(tag)) and len(answers) == 2 and answers)
    assert busy["text"] == BUSY.text and done["text"].startswith(":white_check_mark: Done")
    assert incident(bot, row.id).acknowledged_by == "U02BOB"


def test_a_declare_form_under_a_held_lock_closes_and_its_answer_follows(bot, fake_slack, held_lock):
    values = {DeclareField.TITLE: {DeclareField.TITLE: {"type": "plain_text_input", "value": "Search is down"}}}
    origin = '{"channel_id": "CGENERAL", "response_url": "%s"}' % fake_slack.response_url("form")
    with held_lock():
        response = bot.submit_view(ViewId.DECLARE, values, private_metadata=origin)
    assert (response.status, response.body) == (200, b"")
    assert response.elapsed < SLACK_ACK_TIMEOUT
    busy, declared = wait_until(lambda: (answers := fake_slack.responses_for("form")) and len(answers) == 2 and answers)
    assert busy["text"] == BUSY.text and "INC-1" in declared["text"]


def test_health_answers_at_once_while_another_process_holds_the_lock(bot, held_lock):
    with held_lock():
        response = http("GET", f"{bot.url}/healthz", timeout=5)
    assert (response.status, response.json()) == (200, {"status": "ok", "database": "ok", "worker": "ok"})
    assert response.elapsed < 1.0


def test_the_test_driver_reads_a_late_answer_as_the_person_does(bot, fake_slack, monkeypatch):
    """Tests that read a command's answer pass on a machine too busy to answer within the deadline:
    the driver follows a ``BUSY`` ack to the answer that comes later at the response URL."""
    monkeypatch.setattr(replies, "ANSWER_DEADLINE", 0.0)  # every answer is late
    response = bot.command("declare sev2 Checkout is down")
    assert "INC-1" in response.json()["text"]
    assert fake_slack.responses_for(f"cmd{bot._trigger}") == [response.json()]


def test_an_ack_never_queues_behind_other_routes_waiting_on_the_database(make_bot, held_lock):
    """Cron check-ins (or page views) waiting on a held database can take every thread the web routes
    share; a Slack request has threads of its own and is acked in time."""
    bot = make_bot(config={"services": {"backups": {}},
                           "heartbeats": {"backup": {"every": "1h", "grace": "5m", "service": "backups"}}},
                   WEBHOOK_TOKEN="hook-token")
    shared = 40  # anyio's default thread limiter, which every Starlette route's run_in_threadpool shares
    with ThreadPoolExecutor(shared + 5) as pool:
        with held_lock():
            check_ins = [pool.submit(http, "POST", f"{bot.url}/heartbeats/backup?token=hook-token", b"", {}, 60)
                         for _ in range(shared + 5)]
            wait_until(lambda: sum(t.name.startswith("AnyIO worker") for t in threading.enumerate()) >= shared)
            response = bot.command("declare sev3 Backups are late", follow_late=False)
        assert response.status == 200 and response.elapsed < SLACK_ACK_TIMEOUT, round(response.elapsed, 2)
        assert [c.result().status for c in check_ins] == [204] * (shared + 5), "each check-in was kept"
    wait_until(lambda: [row.title for row in bot.ctx.incidents.list_open()] == ["Backups are late"])
