"""Short leases, renewed while the work runs: a dead process's work is taken over in seconds.

Work that one process must do alone (a due timer, an incident's Slack sync) is claimed by
writing an owner and a lease end on its row. The lease is short (``LEASE``) so that when a
process dies, another takes the work over within seconds; while the owner is alive, this
keeper renews every lease it holds every ``LEASE / 3``, however long the work takes (a
recovery pass slowed by rate limits). Every write that ends a claim is fenced on the owner, so
a process that lost its lease never clears the lease of the one that took over.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Column, Table, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock
from bot.core.threads import named_thread

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=6)
"""How long a claim outlives its owner's last renewal: a dead worker's page waits at most this (plus a tick)."""


def process_owner() -> str:
    """A name for this process's claims, unique across hosts, restarts and instances."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True, eq=False)
class Claimable:
    """Where a kind of work keeps its claim: the table, and its owner and lease-end columns (one
    instance per kind, compared by identity)."""

    table: Table
    owner: Column
    until: Column


class LeaseKeeper:
    """Renews, from one background thread, every lease this process holds."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, owner: str, lease: timedelta = LEASE) -> None:
        self._sessions = sessions
        self._clock = clock
        self.owner = owner
        self.lease = lease
        self._held: Counter[tuple[Claimable, int]] = Counter()
        self._lock = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def until(self):
        """The lease end of a claim made now."""
        return self._clock.now() + self.lease

    @contextmanager
    def holding(self, claimable: Claimable, row_id: int) -> Iterator[None]:
        """Keep the lease on ``row_id`` alive for as long as the block runs."""
        key = (claimable, row_id)
        with self._lock:
            self._held[key] += 1
            self._start()
        try:
            yield
        finally:
            with self._lock:
                self._held[key] -= 1
                if not self._held[key]:
                    del self._held[key]

    def renew(self) -> None:
        """One round: extend every held lease still ours (a lease another process took stays theirs)."""
        with self._lock:
            by_kind: dict[Claimable, list[int]] = {}
            for claimable, row_id in self._held:
                by_kind.setdefault(claimable, []).append(row_id)
        if not by_kind:
            return
        until = self.until()
        with self._sessions() as session, session.begin():
            for claimable, ids in by_kind.items():
                key = claimable.table.primary_key.columns.values()[0]
                session.execute(update(claimable.table).where(key.in_(ids), claimable.owner == self.owner)
                                .values({claimable.until.name: until}))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _start(self) -> None:
        if self._thread is None and not self._closed:
            self._thread = named_thread(self._run, "lease-keeper")
            self._thread.start()

    def _run(self) -> None:
        every = self.lease.total_seconds() / 3
        while True:
            with self._lock:
                if self._lock.wait_for(lambda: self._closed, timeout=every):
                    return
            try:
                self.renew()
            except SQLAlchemyError:
                log.warning("could not renew this process's leases; retrying in %.0fs", every, exc_info=True)
