"""The rules of stakeholder communication (``UpdateService``), called directly: when the next
update is due, snoozes, subscriptions, and when a nag still has something to say.
(End to end through Slack: tests/integration/comms.)"""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.comms.updates import NAG
from bot.core.errors import InvalidTransition, UserError
from bot.core.store import load
from tests.unit.services.conftest import ALICE, BOB

DEADLINE = 60.0


def nags(domain, incident_id: int) -> list[str]:
    return [e.text for e in domain.incidents.get(incident_id).events if e.kind == "nag"]


def test_an_update_sets_when_the_next_is_due(domain):
    incident = domain.declare(severity="sev2")
    domain.clock.advance(timedelta(minutes=7))
    updated, _ = domain.incidents.post_update(incident.id, ALICE, "  Rolling back  ")
    assert (updated.latest_update, updated.latest_update_at) == ("Rolling back", domain.clock.now())
    assert updated.update_due_at == domain.clock.now() + domain.config.severity("sev2").update_every
    chosen, _ = domain.incidents.post_update(incident.id, ALICE, "Still rolling back", next_in=timedelta(minutes=5))
    assert chosen.update_due_at == domain.clock.now() + timedelta(minutes=5)
    with pytest.raises(UserError, match="An update needs some text"):
        domain.incidents.post_update(incident.id, ALICE, "   ")


def test_snoozing_moves_the_reminder_and_is_refused_once_resolved(domain):
    incident = domain.declare(severity="sev2")
    snoozed = domain.updates.snooze(incident.id, BOB, 45)
    assert snoozed.update_due_at == domain.clock.now() + timedelta(minutes=45)
    [timer] = domain.timers(incident.id, NAG)
    assert timer.due_at == snoozed.update_due_at, "one pending reminder, for the snoozed moment"
    domain.incidents.resolve(incident.id, ALICE)
    with pytest.raises(InvalidTransition, match="there is no update reminder to snooze"):
        domain.updates.snooze(incident.id, BOB, 10)


def test_subscribing_toggles(domain):
    incident = domain.declare()
    assert domain.updates.subscribe(incident.id, BOB) is True
    assert domain.updates.subscribe(incident.id, BOB) is False
    assert domain.incidents.get(incident.id).subscriptions == []


def test_a_nag_fires_for_the_moment_it_was_set_for_however_that_moment_is_written(domain):
    incident = domain.declare(severity="sev2")
    [timer] = domain.timers(incident.id, NAG)
    due = incident.update_due_at
    domain.clock.set(due)
    timer.payload = {**timer.payload, "due": due.strftime("%Y-%m-%dT%H:%M:%SZ")}  # the same moment, not the same text
    domain.updates.fire_nag(timer)
    [nag] = nags(domain, incident.id)
    assert "no stakeholder update for" in nag
    [again] = [t for t in domain.timers(incident.id, NAG) if t.id != timer.id]  # the worker marks the first done
    assert again.payload == {"due": due.isoformat(), "round": 2}, "the next round keeps the moment, written one way"


def test_a_nag_for_a_reminder_that_moved_says_nothing(domain):
    incident = domain.declare(severity="sev2")
    [stale] = domain.timers(incident.id, NAG)
    domain.clock.advance(timedelta(minutes=5))
    domain.incidents.post_update(incident.id, ALICE, "Rolling back")
    domain.clock.advance(timedelta(hours=1))
    domain.updates.fire_nag(stale)
    assert nags(domain, incident.id) == []


def test_a_nag_waits_for_a_change_in_flight_and_sees_it(domain, engine):
    """A snooze holding the incident's lock when its nag comes due: the nag waits for it, then sees
    the reminder moved, and says nothing. Without the lock it would read the old due moment and nag."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time; row locks are PostgreSQL's")
    incident = domain.declare(severity="sev2")
    [timer] = domain.timers(incident.id, NAG)
    domain.clock.set(incident.update_due_at)
    with domain.sessions() as session, session.begin():
        held = load(session, incident.id, lock=True)
        holder = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        nag = threading.Thread(target=domain.updates.fire_nag, args=(timer,))
        nag.start()
        deadline = time.monotonic() + DEADLINE
        # Autocommit: PostgreSQL keeps one snapshot of pg_stat_activity per transaction, and in one
        # transaction a nag whose connection opened after the first look would never be seen.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
            while not watcher.execute(text("SELECT count(*) FROM pg_stat_activity WHERE :holder = ANY(pg_blocking_pids(pid))"),
                                      {"holder": holder}).scalar_one():
                assert time.monotonic() < deadline, "the nag never waited for the incident's lock"
                assert nag.is_alive(), "the nag ran without waiting for the incident's lock"
                time.sleep(0.05)
        held.update_due_at = held.update_due_at + timedelta(minutes=30)  # what a snooze does
    nag.join(DEADLINE)
    assert not nag.is_alive()
    assert nags(domain, incident.id) == []
