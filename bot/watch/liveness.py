"""The bot watches itself: each worker records that it finished a tick, and the web says when none has.

A worker's tick of its timers is what pages people; a worker that is dead, or alive but stuck in a
handler, finishes none. Each finished tick is recorded (at most every ``RECORD_EVERY``, one row per
worker, updated in place) in ``worker_ticks``, so any ``web`` process can ask the database when a
worker last ticked; on SQLite the row is the web's own worker's. Until a web process has seen a tick
it counts from its own start, so a worker starting beside it has ``STALE`` to begin.

With ``HEALTHCHECK_PING_URL`` each worker GETs that address at most once a minute, from a finished
tick, so the pings stop when the ticks do: an outside dead man's switch then pages someone.
"""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock
from bot.core.db import PLAIN_READ, insert_for
from bot.core.threads import named_thread
from models import WorkerTick

log = logging.getLogger(__name__)

STALE = timedelta(seconds=60)
"""No worker has finished a tick for this long: /healthz fails."""
RECORD_EVERY = timedelta(seconds=5)
"""At most this often a worker's tick is written; a twelfth of a shorter ``stale`` when given one."""
PING_EVERY = timedelta(minutes=1)
PING_TIMEOUT = 10.0
FORGET_AFTER = timedelta(days=1)
"""A worker silent this long (it stopped, its host:pid is gone) loses its row."""


class Liveness:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock, worker: str,
                 ping_url: str | None = None, stale: timedelta = STALE) -> None:
        self._sessions = sessions
        self._stale = stale
        self._record_every = min(RECORD_EVERY, stale / 12)  # a live worker never looks stale
        self._clock = clock
        self._worker = worker
        self._ping_url = ping_url
        self._started = clock.now()
        self._recorded: datetime | None = None
        self._pinged: datetime | None = None
        self._pinging = threading.Lock()

    def ticked(self) -> None:
        """A tick finished: record it (now and then) and ping the outside switch when a minute has passed."""
        now = self._clock.now()
        if self._recorded is None or now - self._recorded >= self._record_every:
            with self._sessions() as session, session.begin():
                insert = insert_for(session)
                session.execute(insert(WorkerTick).values(worker=self._worker, ticked_at=now)
                                .on_conflict_do_update(index_elements=[WorkerTick.worker], set_={"ticked_at": now}))
                session.execute(delete(WorkerTick).where(WorkerTick.ticked_at < now - FORGET_AFTER))
            self._recorded = now
        if self._ping_url and (self._pinged is None or now - self._pinged >= PING_EVERY) \
                and self._pinging.acquire(blocking=False):
            self._pinged = now
            named_thread(self._ping, "healthcheck-ping").start()

    def worker_problem(self) -> str | None:
        """None while some worker finished a tick within ``STALE`` (or the ``stale`` given); else how long none has."""
        with self._sessions() as session:
            session.connection(execution_options=PLAIN_READ)  # /healthz must not wait for a writer
            latest = session.scalar(select(func.max(WorkerTick.ticked_at)))
        since = max(latest, self._started) if latest is not None else self._started
        silent = self._clock.now() - since
        return f"no tick for {int(silent.total_seconds())}s" if silent >= self._stale else None

    def _ping(self) -> None:
        """The GET, in a thread of its own: a slow switch never holds a tick."""
        try:
            with urllib.request.urlopen(urllib.request.Request(self._ping_url, method="GET"), timeout=PING_TIMEOUT):
                pass
        except (urllib.error.URLError, OSError) as exc:
            log.warning("HEALTHCHECK_PING_URL did not answer: %s", getattr(exc, "reason", exc))
        finally:
            self._pinging.release()
