"""Slack work that follows a change, run on threads of its own so that no ack waits for it.

Bolt's listener executor is small (5 threads): a listener that made Slack calls itself
would hold one for several round trips, and the next command's ack would queue behind it.
Listeners therefore only write the database, ack, and hand the rest to ``Effects``.
Answers to a person (a reply, opening a form whose trigger expires in 3 s) have threads of
their own, so they never queue behind incident syncs.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from bot.core.threads import named_pool, named_thread
from bot.slack.sync import SlackSync

log = logging.getLogger(__name__)


class AckFirst:
    """Syncs yield to requests still waiting for their ack.

    One process shares one interpreter lock (and, on SQLite, one writer) between the requests
    and the Slack work they queue. A sync therefore starts when no request is in flight, or after
    ``patience`` at the latest: a burst of commands is acknowledged first, its Slack work follows.
    """

    def __init__(self, patience: float = 0.3) -> None:
        self._patience = patience
        self._in_flight = 0
        self._idle = threading.Condition()

    @contextmanager
    def request(self) -> Iterator[None]:
        with self._idle:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._idle:
                self._in_flight -= 1
                if not self._in_flight:
                    self._idle.notify_all()

    def wait(self) -> None:
        with self._idle:
            self._idle.wait_for(lambda: not self._in_flight, timeout=self._patience)


class Later:
    """Calls ``then(incident_id)`` at a given moment, from one thread: a sync that waits for Slack's
    rate limit resumes when the limit allows, not at the next sweep."""

    def __init__(self, then: Callable[[int], None]) -> None:
        self._then = then
        self._due: list[tuple[float, int]] = []
        self._changed = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def at(self, moment: float, incident_id: int) -> None:
        with self._changed:
            heapq.heappush(self._due, (moment, incident_id))
            if self._thread is None:
                self._thread = named_thread(self._run, "effects-later")
                self._thread.start()
            self._changed.notify()

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._stopped and (not self._due or self._due[0][0] > time.monotonic()):
                    self._changed.wait(self._due[0][0] - time.monotonic() if self._due else None)
                if self._stopped:
                    return
                _, incident_id = heapq.heappop(self._due)
            self._then(incident_id)


class Effects:
    def __init__(self, sync: SlackSync | None, workers: int = 8, answer_workers: int = 4,
                 gate: AckFirst | None = None) -> None:
        self._sync = sync
        self.gate = gate or AckFirst()
        self._pool = named_pool("effects", workers)
        self._answers = named_pool("answers", answer_workers)
        self._lock = threading.Lock()
        self._pending: set[Future] = set()
        self._later = Later(self.incident_changed)

    def incident_changed(self, incident_id: int) -> None:
        """Bring the incident's Slack side up to date soon; without Slack, the rows wait."""
        if self._sync is None:
            return
        self.submit(self._sync_after_acks, incident_id)

    def _sync_after_acks(self, incident_id: int) -> None:
        self.gate.wait()
        wait = self._sync.sync(incident_id)
        if wait:  # Slack's rate limit: the rows say when, and this process comes back right then
            self._later.at(time.monotonic() + wait, incident_id)

    def answer(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Run a reply to a person soon, ahead of any queued sync."""
        return self.submit(fn, *args, pool=self._answers)

    def submit(self, fn: Callable[..., Any], *args: Any, pool: ThreadPoolExecutor | None = None) -> Future:
        future = (pool or self._pool).submit(self._logged, fn, *args)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until no effect is running or queued (tests and benchmarks use this)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"effects still running after {timeout}s")
            wait(pending, timeout=remaining)

    def shutdown(self) -> None:
        self._later.stop()
        self._pool.shutdown(wait=True)
        self._answers.shutdown(wait=True)

    def _done(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    @staticmethod
    def _logged(fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception:
            log.exception("effect %s%r failed", getattr(fn, "__qualname__", fn), args)
            raise
