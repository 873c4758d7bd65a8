"""On PostgreSQL the web process only acks: a worker hears of each committed change at once
(LISTEN/NOTIFY) and does the Slack work (issue 12)."""

import threading
import time

import pytest

from bot.core.db import make_session_factory
from bot.core.store import changing, watch_incidents
from bot.jobs.wakeups import ChangeListener
from models import Incident
from tests.processes import bot_processes, signed_command, wait_for


@pytest.fixture(autouse=True)
def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; with SQLite one process does all the work")


def test_a_committed_change_is_heard_at_once_and_a_rolled_back_one_never(engine, database_url):
    from datetime import datetime, timezone
    sessions = make_session_factory(engine)
    watch_incidents(sessions, lambda incident_id: None, announce=True)
    heard: list[int] = []
    arrived = threading.Event()
    listener = ChangeListener(database_url, lambda incident_id: (heard.append(incident_id), arrived.set()))
    listener.start()
    try:
        with sessions() as session, session.begin():
            session.add(Incident(title="Checkout is down", severity="sev1", declared_by="U01ALICE",
                                 declared_at=datetime.now(timezone.utc), invited_users=[]))
        assert arrived.wait(5) and heard == [1]
        arrived.clear()
        with pytest.raises(RuntimeError), changing(sessions, 1) as incident:
            incident.log(datetime.now(timezone.utc), None, "note", "never committed")
            raise RuntimeError
        with changing(sessions, 1) as incident:
            incident.log(datetime.now(timezone.utc), None, "note", "committed")
        assert arrived.wait(5) and heard == [1, 1], "the rolled-back change was never announced"
    finally:
        listener.stop()


def test_the_web_process_acks_and_a_worker_does_the_slack_work_woken_at_once(engine, database_url, fake_slack,
                                                                              tmp_path):
    with bot_processes(database_url, fake_slack, tmp_path, RUN_WORKER="0") as bots:
        web, url = bots.web()
        bots.wait_for_log(bots.worker(), "listening for changes")
        started = time.monotonic()
        assert "INC-1* is recorded" in signed_command(url, fake_slack)["text"]
        wait_for(lambda: fake_slack.channel_by_name("inc-1-checkout-is-down"), 10, "the worker to create the channel")
        took = time.monotonic() - started
    assert took < 3, f"woken at once by NOTIFY, not by the 5 s sweep: {took:.2f}s"
    assert "HTTP/1.1" not in bots.log_files[web.pid].read_text(), "no access log unless ACCESS_LOG is set"
