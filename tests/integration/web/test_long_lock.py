"""Another process holds SQLite's write lock for longer than its busy timeout (30 s in production; here
3 s, injected, and a lock of 6 s, so the test need not wait half a minute for the same path): a declare
acked "queued, the answer will follow" is recorded once the lock is free, and its answer follows; if the
lock outlasts the time the answer can still reach the person, they are told plainly that nothing was
recorded and to declare again. The lock is held by a real second process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import make_url

from bot.slack.blocks.replies import BUSY
from handlers.slack import replies
from tests.processes import wait_for

HOLDER = textwrap.dedent("""
    import sqlite3, sys, time
    connection = sqlite3.connect(sys.argv[1], isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    print(time.monotonic(), flush=True)  # before letting go: what the bot writes, it writes after this
    connection.execute("ROLLBACK")
""")


@pytest.fixture
def lock_holder(database_url) -> Iterator:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's one writer: PostgreSQL writers wait for row locks, not for the whole database")

    @contextmanager
    def hold(seconds: float):
        process = subprocess.Popen([sys.executable, "-c", HOLDER, make_url(database_url).database, str(seconds)],
                                   stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout.readline().strip() == "held"
            yield process
        finally:
            process.kill()
            process.wait()

    return hold


BUSY_TIMEOUT = 3.0
"""Seconds this test's bot waits for the write lock: shorter than the holders' locks, as 30 s is than 35."""


def answer_at(fake, tag: str, seconds: float = 60) -> dict:
    [answer] = wait_for(lambda: fake.responses_for(tag), seconds, f"the answer at the response URL {tag}")
    return answer


def test_a_declare_behind_a_lock_longer_than_the_busy_timeout_is_recorded_and_answered(make_bot, fake_slack,
                                                                                       lock_holder):
    bot = make_bot(wiring={"busy_timeout": BUSY_TIMEOUT})
    with lock_holder(2 * BUSY_TIMEOUT) as holder:
        response = bot.command("declare sev2 Checkout is down", follow_late=False)
        assert response.json()["text"] == BUSY.text
        tag = f"cmd{bot._trigger}"
        answer = answer_at(fake_slack, tag)
        let_go = float(holder.stdout.readline())  # not the holder's exit, which may come after the answer
        assert fake_slack.response_times(tag)[0] > let_go, "answered only once the other process let go"
    assert "INC-1" in answer["text"]
    assert [row.title for row in bot.ctx.incidents.list_open()] == ["Checkout is down"]


def test_a_declare_the_lock_outlasts_is_said_not_recorded(make_bot, fake_slack, lock_holder, monkeypatch):
    monkeypatch.setattr(replies, "KEEP_TRYING", timedelta(seconds=1))  # instead of a response URL's 25 minutes
    bot = make_bot(wiring={"busy_timeout": BUSY_TIMEOUT})
    with lock_holder(60):
        response = bot.command("declare sev2 Checkout is down", follow_late=False)
        assert response.json()["text"] == BUSY.text
        answer = answer_at(fake_slack, f"cmd{bot._trigger}")
    assert "*not recorded*" in answer["text"] and "send it again" in answer["text"]
    assert bot.ctx.incidents.list_open() == []
