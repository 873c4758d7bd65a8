"""Durable timers: schedule a future action in the caller's transaction; workers claim and run it.

Every renotify, escalation or delayed page is a ``timers`` row (models/timer.py). A worker's
``tick`` claims due rows under a lease, with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so two
workers never claim the same row (on SQLite, bot/core/db.py serializes transactions across processes
with ``BEGIN IMMEDIATE``); then it runs their handlers outside that transaction and marks them done.
A worker that dies leaves its rows claimed until the lease runs out; then another claims them.

The lease is short (``bot.jobs.leases.LEASE``, seconds) and renewed while a handler runs, so a
worker that dies mid-handler has its row taken over within seconds, however long handlers take.
Delivery is at least once: a worker that dies after a handler ran but before marking it done lets
the row run again, with ``attempts`` above one; handlers record what they did before doing the
next thing and, on a repeat, check what the earlier attempt did (see ``bot.paging.service``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import ColumnElement, Select, and_, func, insert, or_, select, true, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from bot.core.clock import Clock
from bot.core.db import insert_for
from bot.jobs.leases import LEASE, Claimable, LeaseKeeper
from bot.jobs.retry import retry_delay
from models.timer import PENDING, Timer

log = logging.getLogger(__name__)

TIMER_CLAIM = Claimable(Timer.__table__, Timer.__table__.c.claimed_by, Timer.__table__.c.claimed_until)


def schedule(session: Session, kind: str, due_at: datetime, *, incident_id: int | None = None,
             payload: dict[str, Any] | None = None, key: str | None = None) -> Timer | None:
    """Add a timer in the caller's transaction, so it commits (or not) with the change that wants it.

    With a ``key`` that a pending timer already has, nothing is added and None is returned, so a
    caller may schedule the same action twice (a retried request) and get one. A handler that
    schedules its own successor (renotify) gives it a key of its own: its row is pending while it runs.
    """
    statement = (
        insert_for(session)(Timer)
        .values(kind=kind, due_at=due_at, incident_id=incident_id, payload=payload or {}, key=key)
        .on_conflict_do_nothing(index_elements=[Timer.key], index_where=PENDING)
        .returning(Timer)
    )
    return session.scalars(statement).one_or_none()


def schedule_new(session: Session, kind: str, due_at: datetime, *, incident_id: int | None = None,
                 payload: dict[str, Any] | None = None, key: str | None = None) -> None:
    """``schedule`` for an action of something created in this very transaction (a new incident's first
    reminder): no pending twin can exist, so the row is simply added, and written with the rest of
    the transaction's rows in one flush (the ack of a declare waits for this)."""
    session.add(Timer(kind=kind, due_at=due_at, incident_id=incident_id, payload=payload or {}, key=key))


def new_row(kind: str, due_at: datetime, *, incident_id: int | None = None, payload: dict[str, Any] | None = None,
            key: str | None = None) -> dict[str, Any]:
    """A pending timer's row, every column given, for ``schedule_all_new``."""
    return {"kind": kind, "incident_id": incident_id, "key": key, "payload": payload or {}, "due_at": due_at,
            "claimed_by": None, "claimed_until": None, "attempts": 0, "done_at": None, "cancelled_at": None,
            "last_error": None}


def schedule_all_new(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """``schedule_new`` for many rows (``new_row``) at once: one multi-row INSERT, no unit of work
    (a declare's ack waits for it)."""
    if rows:
        session.execute(insert(Timer.__table__), list(rows))


def cancel(session: Session, *, incident_id: int, now: datetime, kinds: Sequence[str] | None = None) -> int:
    """Cancel an incident's pending timers (of ``kinds``, or all) in the caller's transaction, at ``now``
    (the caller's injected clock).

    A worker that claimed one of them checks again just before running it, so a cancelled
    timer does not run. Returns how many were cancelled.
    """
    statement = update(Timer).where(Timer.incident_id == incident_id, PENDING)
    if kinds is not None:
        statement = statement.where(Timer.kind.in_(kinds))
    return session.execute(statement.values(cancelled_at=now)).rowcount


_SENT_NOTHING = "sent nothing: "


class TryAgain(Exception):
    """Raised by a handler that could not finish for a reason outside the bot (Slack refused a page):
    the timer is due again ``after`` that long (a rate limit says how long), else after the retry
    ladder's wait; logged without a trace. ``sent_nothing``: the run only waited its turn (a send
    rate, Slack's rate limit), so the next run knows nothing went out (``may_have_acted``), and the
    log says so as information, not as a warning: a hundred pages to one person wait their turn
    thousands of times a minute, and warnings that many would hide the one that matters."""

    def __init__(self, message: str, after: timedelta | None = None, *, sent_nothing: bool = False) -> None:
        super().__init__(f"{_SENT_NOTHING}{message}" if sent_nothing else message)
        self.after = after
        self.sent_nothing = sent_nothing


def may_have_acted(timer: Timer, failures: int = 0) -> bool:
    """Whether something this run is about to send may have gone out already, though nobody heard so:
    one of its ``failures`` (its answer may be lost), or an earlier run of the timer that died or failed
    without saying it sent nothing. On True a handler looks for the earlier send before sending again."""
    return failures > 0 or (timer.attempts > 1 and not (timer.last_error or "").startswith(_SENT_NOTHING))


class TimerWorker:
    """Claims due timers and runs them. ``worker_id`` must be unique per process (e.g. host:pid):
    it is how the worker recognizes its own claims."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, handlers: Mapping[str, Callable[[Timer], None]],
                 worker_id: str, lease: timedelta = LEASE, batch: int = 100, leases: LeaseKeeper | None = None,
                 only: Collection[str] | None = None, skip: Collection[str] = (),
                 on_tick: Callable[[], None] | None = None) -> None:
        """``only`` and ``skip`` make a lane: kinds that must fire on time (a page's steps) get a worker
        of their own, so they never queue behind slower handlers claimed in the same batch.
        ``on_tick`` is told of each finished tick (``bot.watch.liveness``: is a worker alive)."""
        self._sessions = sessions
        self._lane = true() if only is None else Timer.kind.in_(list(only))
        if skip:
            self._lane = and_(self._lane, Timer.kind.not_in(list(skip)))
        self.lane = "" if only is None else "-" + "-".join(sorted(only))
        self.clock = clock
        self._handlers = handlers
        self.worker_id = worker_id
        self._leases = leases or LeaseKeeper(sessions, clock, worker_id, lease)
        self._lease = self._leases.lease
        self._batch = batch
        self._on_tick = on_tick

    def tick(self) -> int:
        """Claim up to ``batch`` due timers and run them, oldest first; how many handlers ran
        (succeeded or raised)."""
        ran = sum(self._run(timer) for timer in self._claim()[0])
        self._ticked()
        return ran

    def tick_and_next_due(self) -> datetime | None:
        """A tick, then when the earliest claimable pending timer is due. With nothing due (a worker's
        usual second) that is read in the claim's own transaction: an idle tick is one transaction."""
        claimed, due = self._claim()
        for timer in claimed:
            self._run(timer)
        self._ticked()
        return due if not claimed else self.next_due()

    def _ticked(self) -> None:
        if self._on_tick is not None:
            self._on_tick()

    def next_due(self) -> datetime | None:
        """When the earliest claimable pending timer is due, to know when to tick next."""
        with self._sessions() as session:
            return session.scalar(self.next_due_query(self.clock.now()))

    def next_due_query(self, now: datetime) -> Select:
        return select(func.min(Timer.due_at)).where(PENDING, _claimable(now), self._lane)

    def due_query(self, now: datetime) -> Select:
        """The claim's: due, unleased rows, oldest first, locked (skipping those another worker is claiming)."""
        return (select(Timer.id).where(PENDING, Timer.due_at <= now, _claimable(now), self._lane)
                .order_by(Timer.due_at, Timer.id).limit(self._batch).with_for_update(skip_locked=True))

    def _claim(self) -> tuple[list[Timer], datetime | None]:
        """One short transaction: lock due, unleased rows (skipping rows another worker is claiming
        at this moment), and lease them to this worker; with none due, when the next one is."""
        now = self.clock.now()
        with self._sessions() as session, session.begin():
            ids = session.scalars(self.due_query(now)).all()
            if not ids:
                return [], session.scalar(self.next_due_query(now))
            claimed = session.scalars(
                update(Timer).where(Timer.id.in_(ids))
                .values(claimed_by=self.worker_id, claimed_until=now + self._lease)
                .returning(Timer)
            ).all()
        return sorted(claimed, key=lambda timer: (timer.due_at, timer.id)), None

    def _run(self, claimed: Timer) -> int:
        timer = self._start(claimed)
        if timer is None:
            return 0
        handler = self._handlers.get(timer.kind)
        if handler is None:
            self._failed(timer, f"no handler for kind {timer.kind!r}")
            return 0
        try:
            with self._leases.holding(TIMER_CLAIM, timer.id):
                handler(timer)
        except TryAgain as exc:
            log.log(logging.INFO if exc.sent_nothing else logging.WARNING, "timer %s (%s) will be tried again, "
                    "attempt %s: %s", timer.id, timer.kind, timer.attempts, exc)
            self._failed(timer, str(exc), exc.after)
        except Exception as exc:
            log.exception("timer %s (%s) failed, attempt %s", timer.id, timer.kind, timer.attempts)
            self._failed(timer, f"{type(exc).__name__}: {exc}")
        else:
            self._finish(timer, done_at=self.clock.now(), claimed_until=None)
        return 1

    def _start(self, claimed: Timer) -> Timer | None:
        """Re-check just before running, renewing the lease: the row may have been cancelled since
        the claim, or taken by another worker, or by another tick of this very process (the wake-up
        beside the regular tick), if this claim's lease ran out on earlier rows. The claim is this
        tick's only while the row still has the lease this tick gave it.

        The row's ``last_error`` is cleared while this run goes: it said how the run before ended, and
        a run killed midway must not leave that run's "sent nothing" for the next (``may_have_acted``).
        The handler is still handed the earlier run's word."""
        now = self.clock.now()
        with self._sessions() as session, session.begin():
            before = session.scalar(select(Timer.last_error).where(Timer.id == claimed.id))
            timer = session.scalars(
                update(Timer).where(Timer.id == claimed.id, Timer.claimed_by == self.worker_id,
                                    Timer.claimed_until == claimed.claimed_until, PENDING)
                .values(claimed_until=now + self._lease, attempts=Timer.attempts + 1, last_error=None)
                .returning(Timer)
            ).one_or_none()
        if timer is not None:
            set_committed_value(timer, "last_error", before)
        return timer

    def _failed(self, timer: Timer, error: str, after: timedelta | None = None) -> None:
        """Release the row, due again after a backoff: a page is retried, never dropped."""
        wait = after if after is not None else retry_delay(timer.attempts)
        self._finish(timer, last_error=error, due_at=self.clock.now() + wait, claimed_until=None)

    def _finish(self, timer: Timer, **values: Any) -> None:
        with self._sessions() as session, session.begin():
            session.execute(
                update(Timer).where(Timer.id == timer.id, Timer.claimed_by == self.worker_id, Timer.done_at.is_(None))
                .values(**values)
            )


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(Timer.claimed_until.is_(None), Timer.claimed_until < now)


def add_tick_job(scheduler: BaseScheduler, worker: TimerWorker, every: timedelta = timedelta(seconds=1)) -> None:
    """Tick every ``every``, and also at the next due time when that comes sooner.

    The regular tick finds what other processes schedule and leases that ran out, so a due action
    fires within ``every`` and a tick. The wake-up, armed after each tick from the rows, fires a known
    due time within milliseconds and drains a backlog of more than one batch at once; two may
    overlap while one re-arms itself, which is safe as claims never overlap.
    """
    def tick_and_wake() -> None:
        due = worker.tick_and_next_due()
        if due is not None and due < worker.clock.now() + every:
            scheduler.add_job(tick_and_wake, "date", run_date=due, id=f"timers-wake-{worker.worker_id}{worker.lane}",
                              replace_existing=True, max_instances=2, misfire_grace_time=None)

    scheduler.add_job(tick_and_wake, "interval", seconds=every.total_seconds(), id=f"timers-tick-{worker.worker_id}{worker.lane}",
                      max_instances=1, coalesce=True, next_run_time=worker.clock.now())
