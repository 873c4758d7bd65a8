"""Durable timers: scheduled in the caller's transaction, claimed under a lease, run once, never lost.

The multi-process tests run real worker processes (tests/timer_worker.py) on the test database,
PostgreSQL or SQLite (where bot/core/db.py serializes transactions across processes).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import event, func, select

from bot.core.clock import SystemClock
from bot.core.db import make_session_factory
from bot.jobs.timers import TimerWorker, TryAgain, add_tick_job, cancel, may_have_acted, retry_delay, schedule
from models import Incident
from models.timer import Timer
from tests.processes import wait_for

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def sessions(engine):
    return make_session_factory(engine)


@pytest.fixture
def incident_id(sessions, clock) -> int:
    return new_incident(sessions, clock.now())


def new_incident(sessions, now: datetime) -> int:
    with sessions() as session, session.begin():
        incident = Incident(title="Checkout is down", severity="sev1", declared_by="U01ALICE", declared_at=now,
                            invited_users=[])
        session.add(incident)
        session.flush()
        return incident.id


def add(sessions, kind: str, due_at: datetime, **options) -> Timer | None:
    with sessions() as session, session.begin():
        return schedule(session, kind, due_at, **options)


def timer(sessions, timer_id: int) -> Timer:
    with sessions() as session:
        return session.get(Timer, timer_id)


class Ran:
    """Handlers that record which timers ran, in order."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def __call__(self, timer: Timer) -> None:
        self.ids.append(timer.id)

    def handlers(self, *kinds: str) -> dict:
        return {kind: self for kind in kinds}


def test_a_timer_runs_once_when_due_and_is_marked_done(sessions, clock, incident_id):
    seen: list[Timer] = []
    worker = TimerWorker(sessions, clock, {"escalate": seen.append}, "w1")
    created = add(sessions, "escalate", clock.now() + timedelta(seconds=10), incident_id=incident_id,
                  payload={"level": 2})

    clock.advance(timedelta(seconds=9))
    assert worker.tick() == 0
    clock.advance(timedelta(seconds=1))
    assert worker.tick() == 1
    assert worker.tick() == 0

    assert [(t.id, t.payload, t.incident_id) for t in seen] == [(created.id, {"level": 2}, incident_id)]
    row = timer(sessions, created.id)
    assert row.done_at == clock.now()
    assert (row.claimed_by, row.claimed_until, row.attempts, row.last_error) == ("w1", None, 1, None)


def test_a_tick_runs_the_oldest_due_timers_up_to_its_batch(sessions, clock):
    ran = Ran()
    worker = TimerWorker(sessions, clock, ran.handlers("page"), "w1", batch=3)
    ids = [add(sessions, "page", clock.now() - timedelta(seconds=s)).id for s in (1, 5, 3, 4, 2)]
    add(sessions, "page", clock.now() + timedelta(seconds=1))

    assert worker.tick() == 3
    assert ran.ids == [ids[1], ids[3], ids[2]]
    assert worker.tick() == 2
    assert ran.ids[3:] == [ids[4], ids[0]]
    assert worker.next_due() == clock.now() + timedelta(seconds=1)


def test_an_idle_tick_is_one_transaction_and_says_when_to_tick_next(sessions, clock, engine):
    ran = Ran()
    worker = TimerWorker(sessions, clock, ran.handlers("page"), "w1")
    soon = add(sessions, "page", clock.now() + timedelta(seconds=2))
    later = add(sessions, "page", clock.now() + timedelta(seconds=5))
    transactions: list[int] = []
    event.listen(engine, "begin", lambda _connection: transactions.append(1))
    assert worker.tick_and_next_due() == soon.due_at
    assert len(transactions) == 1 and ran.ids == []
    clock.advance(timedelta(seconds=2))
    assert worker.tick_and_next_due() == later.due_at  # ran one, then looked again
    assert ran.ids == [soon.id]
    clock.advance(timedelta(seconds=3))
    assert worker.tick_and_next_due() is None
    assert ran.ids == [soon.id, later.id]


def test_a_timer_rolls_back_with_the_callers_transaction(sessions, clock, incident_id):
    with sessions() as session:
        transaction = session.begin()
        schedule(session, "page", clock.now(), incident_id=incident_id)
        transaction.rollback()

    assert TimerWorker(sessions, clock, Ran().handlers("page"), "w1").tick() == 0
    with sessions() as session:
        assert session.scalars(select(Timer)).all() == []


def test_a_key_schedules_an_action_once_while_it_is_pending(sessions, clock, incident_id):
    ran = Ran()
    worker = TimerWorker(sessions, clock, ran.handlers("escalate"), "w1")
    key = "escalate:page7:level2"
    first = add(sessions, "escalate", clock.now(), incident_id=incident_id, key=key)
    assert first is not None
    assert add(sessions, "escalate", clock.now(), incident_id=incident_id, key=key) is None

    assert worker.tick() == 1
    assert ran.ids == [first.id]
    again = add(sessions, "escalate", clock.now(), incident_id=incident_id, key=key)
    assert again is not None and again.id != first.id, "a key that is done may be scheduled again"
    with sessions() as session, session.begin():
        assert cancel(session, incident_id=incident_id, now=clock.now()) == 1
    assert add(sessions, "escalate", clock.now(), incident_id=incident_id, key=key) is not None


def test_cancelled_timers_do_not_run(sessions, clock, incident_id):
    ran = Ran()
    worker = TimerWorker(sessions, clock, ran.handlers("escalate", "renotify"), "w1")
    other_incident = new_incident(sessions, clock.now())
    renotify = add(sessions, "renotify", clock.now(), incident_id=incident_id)
    escalate = add(sessions, "escalate", clock.now(), incident_id=incident_id)
    elsewhere = add(sessions, "renotify", clock.now(), incident_id=other_incident)

    with sessions() as session, session.begin():
        assert cancel(session, incident_id=incident_id, kinds=["renotify"], now=clock.now()) == 1
        assert cancel(session, incident_id=incident_id, kinds=["renotify"], now=clock.now()) == 0

    assert worker.tick() == 2
    assert sorted(ran.ids) == [escalate.id, elsewhere.id]
    assert timer(sessions, renotify.id).cancelled_at == clock.now()
    assert timer(sessions, renotify.id).done_at is None


def test_a_timer_cancelled_after_its_claim_does_not_run(sessions, clock, incident_id):
    """The acknowledgement lands while the worker is busy with the batch that holds the escalation."""
    ran = Ran()

    def acknowledge(timer: Timer) -> None:
        ran(timer)
        with sessions() as session, session.begin():
            cancel(session, incident_id=incident_id, kinds=["escalate"], now=clock.now())

    worker = TimerWorker(sessions, clock, {"renotify": acknowledge, "escalate": ran}, "w1")
    renotify = add(sessions, "renotify", clock.now() - timedelta(seconds=1), incident_id=incident_id)
    escalate = add(sessions, "escalate", clock.now(), incident_id=incident_id)

    assert worker.tick() == 1
    assert ran.ids == [renotify.id]
    row = timer(sessions, escalate.id)
    assert row.claimed_by == "w1", "it was claimed in the same batch"
    assert (row.cancelled_at, row.done_at, row.attempts) == (clock.now(), None, 0)


def test_a_failing_handler_is_retried_later(sessions, clock):
    failures = iter([RuntimeError("Slack is down")])
    ran = Ran()

    def page(timer: Timer) -> None:
        if (error := next(failures, None)) is not None:
            raise error
        ran(timer)

    worker = TimerWorker(sessions, clock, {"page": page}, "w1")
    created = add(sessions, "page", clock.now())

    assert worker.tick() == 1
    row = timer(sessions, created.id)
    assert (row.attempts, row.last_error, row.done_at, row.claimed_until) == (1, "RuntimeError: Slack is down", None, None)
    assert row.due_at == clock.now() + retry_delay(1) == clock.now() + timedelta(seconds=5)
    assert worker.tick() == 0

    clock.advance(timedelta(seconds=5))
    assert worker.tick() == 1
    assert ran.ids == [created.id]
    row = timer(sessions, created.id)
    assert (row.attempts, row.done_at) == (2, clock.now())


def test_an_unknown_kind_is_recorded_as_an_error_and_the_rest_run(sessions, clock):
    ran = Ran()
    worker = TimerWorker(sessions, clock, ran.handlers("page"), "w1")
    mystery = add(sessions, "mystery", clock.now() - timedelta(seconds=1))
    page = add(sessions, "page", clock.now())

    assert worker.tick() == 1
    assert ran.ids == [page.id]
    row = timer(sessions, mystery.id)
    assert row.last_error == "no handler for kind 'mystery'"
    assert (row.done_at, row.claimed_until, row.due_at) == (None, None, clock.now() + retry_delay(1))


class Died(BaseException):
    """Stands for the process dying in the middle of a handler."""


def test_a_dead_workers_timers_are_taken_over_when_its_lease_runs_out(sessions, clock):
    def die(timer: Timer) -> None:
        raise Died

    lease = timedelta(seconds=60)
    dead = TimerWorker(sessions, clock, {"page": die}, "dead", lease=lease)
    ran = Ran()
    alive = TimerWorker(sessions, clock, ran.handlers("page"), "alive", lease=lease)
    ids = [add(sessions, "page", clock.now()).id for _ in range(3)]

    with pytest.raises(Died):
        dead.tick()
    assert alive.tick() == 0
    clock.advance(lease - timedelta(seconds=1))
    assert alive.tick() == 0
    clock.advance(timedelta(seconds=2))
    assert alive.tick() == 3

    assert sorted(ran.ids) == ids
    rows = [timer(sessions, i) for i in ids]
    assert [(r.claimed_by, r.attempts, r.done_at is not None) for r in rows] == [("alive", 2, True), ("alive", 1, True),
                                                                                 ("alive", 1, True)]


def test_a_run_killed_after_one_that_sent_nothing_is_taken_as_maybe_sent(sessions, clock):
    """A wait (``sent_nothing``), then a run that dies midway: the next run must look for an earlier
    send, since the dead run's word is not the wait's."""
    runs = iter(["wait", "die"])
    seen: list[bool] = []

    def page(timer: Timer) -> None:
        seen.append(may_have_acted(timer))
        step = next(runs, "send")
        if step == "wait":
            raise TryAgain("sms page 1 waits for its turn 1.0s", timedelta(seconds=1), sent_nothing=True)
        if step == "die":
            raise Died

    lease = timedelta(seconds=60)
    worker = TimerWorker(sessions, clock, {"page": page}, "w1", lease=lease)
    created = add(sessions, "page", clock.now())
    assert worker.tick() == 1
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Died):
        worker.tick()
    clock.advance(lease + timedelta(seconds=1))
    assert worker.tick() == 1
    assert seen == [False, False, True], "first run; after a wait; after a run that died"
    assert timer(sessions, created.id).done_at is not None


@pytest.mark.parametrize("refusal, level", [
    (TryAgain("1 page(s) of INC-1 wait for Slack's rate limit", timedelta(seconds=1), sent_nothing=True), "INFO"),
    (TryAgain("Slack refused 1 page(s) of INC-1 for now: ratelimited"), "WARNING"),
])
def test_a_wait_for_its_turn_is_information_and_a_refusal_a_warning(sessions, clock, caplog, refusal, level):
    """A hundred pages to one person wait their turn thousands of times a minute: as warnings they
    would bury the refusal an operator must see."""
    def page(timer: Timer) -> None:
        raise refusal

    created = add(sessions, "page", clock.now())
    with caplog.at_level("INFO", logger="bot.jobs.timers"):
        assert TimerWorker(sessions, clock, {"page": page}, "w1").tick() == 1

    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "bot.jobs.timers"]
    assert said == [(level, f"timer {created.id} (page) will be tried again, attempt 1: {refusal}")]
    assert timer(sessions, created.id).done_at is None


def test_a_worker_whose_lease_ran_out_leaves_alone_what_another_took(sessions, clock):
    """Each handler renews the lease of its own row only; later rows of the batch may be taken meanwhile."""
    ran: list[tuple[str, int]] = []
    other = TimerWorker(sessions, clock, {"page": lambda t: ran.append(("other", t.id))}, "other")

    def slow(timer: Timer) -> None:
        ran.append(("slow", timer.id))
        clock.advance(timedelta(seconds=31))
        if len(ran) == 2:  # 62 s after the claim: the third row's lease is over, this one's is not
            other.tick()

    worker = TimerWorker(sessions, clock, {"page": slow}, "slow", lease=timedelta(seconds=60))
    ids = [add(sessions, "page", clock.now()).id for _ in range(3)]

    assert worker.tick() == 2
    assert ran == [("slow", ids[0]), ("slow", ids[1]), ("other", ids[2])]
    assert timer(sessions, ids[2]).claimed_by == "other"


def test_a_row_claimed_again_by_another_tick_of_the_same_worker_runs_once(sessions, clock):
    """Two ticks of one process overlap (the wake-up beside the regular tick, as a 429's short retry
    arms it): a row whose lease ran out in the first tick's batch, claimed and being run by the second
    tick, is not run again by the first (the same worker id is no proof that the claim is its own)."""
    ran: list[int] = []
    taken, release = threading.Event(), threading.Event()
    first_tick = threading.current_thread()

    def slow(timer: Timer) -> None:
        ran.append(timer.id)
        if threading.current_thread() is not first_tick:  # the second tick, running the third row
            taken.set()
            release.wait(10)
            return
        clock.advance(timedelta(seconds=31))
        if len(ran) == 2:  # 62 s after the claim: the third row's lease is over; the other tick takes it
            other.start()
            assert taken.wait(10)

    worker = TimerWorker(sessions, clock, {"page": slow}, "one-process", lease=timedelta(seconds=60))
    other = threading.Thread(target=worker.tick)
    ids = [add(sessions, "page", clock.now()).id for _ in range(3)]
    worker.tick()
    release.set()
    other.join(10)
    assert ran == ids, "each row once"


def test_a_claim_skips_rows_another_worker_is_claiming_instead_of_waiting(engine, sessions, clock):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no row locks: one transaction at a time holds the whole database")
    ran = Ran()
    worker = TimerWorker(sessions, clock, ran.handlers("page"), "w1")
    ids = [add(sessions, "page", clock.now()).id for _ in range(3)]

    with ThreadPoolExecutor(1) as pool, engine.connect() as other:  # another worker, inside its claim
        other.execute(select(Timer.id).where(Timer.id == ids[0]).with_for_update())
        assert pool.submit(worker.tick).result(timeout=5) == 2
    assert ran.ids == ids[1:]


def test_the_scheduler_fires_due_timers_within_2_seconds(sessions):
    """The real APScheduler tick with the system clock, 1 to 3 seconds ahead."""
    clock = SystemClock()
    fired: dict[int, datetime] = {}
    worker = TimerWorker(sessions, clock, {"page": lambda t: fired.setdefault(t.id, clock.now())}, "w1")
    scheduler = BackgroundScheduler(timezone="UTC")
    add_tick_job(scheduler, worker)
    scheduler.start()
    try:
        time.sleep(0.3)  # scheduled after the first tick, as another process would
        timers = [add(sessions, "page", clock.now() + timedelta(seconds=s)) for s in (1, 1.5, 2.2, 3)]
        deadline = time.monotonic() + 6
        while len(fired) < len(timers) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.shutdown()

    lateness = {t.id: (fired[t.id] - t.due_at).total_seconds() for t in timers if t.id in fired}
    assert len(lateness) == len(timers), f"only {lateness} fired"
    assert all(0 <= late < 2 for late in lateness.values()), lateness


def start_worker(database_url: str, worker_id: str, out: Path, *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.timer_worker", database_url, worker_id, str(out), *options],
                            cwd=ROOT)


def records(out: Path) -> list[tuple[str, int, str, float]]:
    if not out.exists():
        return []
    return [(what, int(i), who, float(at)) for what, i, who, at in (line.split() for line in out.read_text().splitlines())]


def test_two_worker_processes_run_each_timer_exactly_once(sessions, database_url, tmp_path):
    now = SystemClock().now()
    with sessions() as session, session.begin():
        ids = [schedule(session, "page", now - timedelta(milliseconds=i)).id for i in range(300)]
    outs, go = [tmp_path / "a.log", tmp_path / "b.log"], tmp_path / "go"
    workers = [start_worker(database_url, name, out, "--batch", "10", "--work", "0.002", "--go", str(go),
                            "--seconds", "15")
               for name, out in zip("ab", outs, strict=True)]
    wait_for(lambda: all(Path(f"{out}.ready").exists() for out in outs), 60, "both workers to be up")
    go.touch()  # they start together, however long each took to start
    assert [w.wait(timeout=30) for w in workers] == [0, 0]

    ran = [(i, who) for out in outs for what, i, who, _ in records(out)]
    assert sorted(i for i, _ in ran) == sorted(ids), "every timer ran exactly once"
    assert {who for _, who in ran} == {"a", "b"}, "both workers took a share"
    with sessions() as session:
        rows = session.scalars(select(Timer)).all()
    assert all(r.done_at is not None and r.attempts == 1 for r in rows)
    assert sorted((r.id, r.claimed_by) for r in rows) == sorted(ran)


def test_a_killed_workers_timers_are_finished_by_another_process(sessions, database_url, tmp_path):
    lease = 2.0
    now = SystemClock().now()
    with sessions() as session, session.begin():
        ids = [schedule(session, "page", now - timedelta(milliseconds=i)).id for i in range(20)]
    dying_out, other_out = tmp_path / "dying.log", tmp_path / "other.log"
    dying = start_worker(database_url, "dying", dying_out, "--block", "--lease", str(lease))
    try:
        wait_for(lambda: records(dying_out), 60, "the dying worker to start a timer")
        [(_, started_id, _, started_at)] = records(dying_out)  # it claimed all 20, and blocks in the first
        with sessions() as session:
            leases_end = session.scalar(select(func.min(Timer.claimed_until)).where(Timer.claimed_by == "dying"))
        other = start_worker(database_url, "other", other_out, "--lease", str(lease), "--seconds", "15")
    finally:
        dying.send_signal(signal.SIGKILL)
        dying.wait()
    assert other.wait(timeout=30) == 0

    ran = records(other_out)
    assert sorted(i for _, i, _, _ in ran) == sorted(ids)
    assert min(at for *_, at in ran) >= leases_end.timestamp() - 0.05, "nothing ran before the dead worker's leases ran out"
    with sessions() as session:
        attempts = {r.id: r.attempts for r in session.scalars(select(Timer))}
    assert attempts == {i: 2 if i == started_id else 1 for i in ids}
