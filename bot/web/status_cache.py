"""The status page's answers, rendered once per change and served from memory.

During an outage the page is read far more than it changes. Each format (HTML, JSON, Atom) is
rendered (and compressed) once per version of the page and kept with its ETag, in an immutable
snapshot that readers take without a lock. A change made in this process marks the snapshot stale at once
(``StatusService.watch``): the next reader asks the database for the page's version (one small
query, never a rebuild unless the version moved, or the day did: the bars and past days roll) and
the readers behind it wait for that answer. Changes made by another process are found within
``RECHECK`` seconds: from half that age on, one check runs in a thread of its own while readers
keep being answered from the snapshot, so under readers none of them waits for the clock's checks.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.core.clock import Clock
from bot.core.threads import named_thread
from bot.status.page import StatusPage
from bot.status.service import StatusService

RECHECK = 1.0
"""Seconds a snapshot is served without asking the database whether another process changed the page."""


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str
    media_type: str
    gzipped: bytes | None  # the body compressed, for readers who take gzip; None where that is no smaller


Renderer = Callable[[StatusPage], tuple[bytes, str]]
"""A format: the page -> (body, media type)."""


@dataclass(frozen=True)
class _Snapshot:
    key: tuple  # (the page's version, the day)
    page: StatusPage
    checked: float  # ticks when its version was asked
    changes: int  # changes made here before that check
    rendered: dict[str, Rendered] = field(default_factory=dict)  # filled once per format, under the lock


class StatusCache:
    def __init__(self, status: StatusService, clock: Clock, formats: dict[str, Renderer],
                 ticks: Callable[[], float] = time.monotonic) -> None:
        """``ticks`` measures a snapshot's age (seconds, never set back)."""
        self._status = status
        self._ticks = ticks
        self._clock = clock
        self._formats = formats
        self._lock = threading.Lock()  # one check or render at a time
        self._snapshot: _Snapshot | None = None
        self._changes = 0
        self._behind = False  # a check in the background is under way
        status.watch(self.changed)

    def changed(self) -> None:
        self._changes += 1  # only compared for equality: a lost increment among two at once still moves it

    def fresh(self, kind: str) -> Rendered | None:
        """The format ``kind`` if it is known to be current, without waiting or asking the database
        (so it can answer on the event loop); None when ``get`` has to look."""
        snapshot = self._snapshot
        if snapshot is None or snapshot.changes != self._changes:
            return None
        age = self._ticks() - snapshot.checked
        rendered = snapshot.rendered.get(kind)
        if rendered is None or age >= RECHECK:
            return None
        if age >= RECHECK / 2 and not self._behind:
            self._behind = True
            named_thread(self._check_behind, "status-recheck").start()
        return rendered

    def get(self, kind: str) -> Rendered:
        """The format ``kind`` of the current page; blocking (run it off the event loop)."""
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.changes != self._changes or self._ticks() - snapshot.checked >= RECHECK:
                snapshot = self._check()
            if kind not in snapshot.rendered:
                body, media_type = self._formats[kind](snapshot.page)
                gzipped = gzip.compress(body, mtime=0)  # once per version, here in a thread, not on the event loop
                rendered = Rendered(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"', media_type,
                                    gzipped if len(gzipped) < len(body) else None)
                snapshot = self._snapshot = replace(snapshot, rendered={**snapshot.rendered, kind: rendered})
            return snapshot.rendered[kind]

    def _check_behind(self) -> None:
        try:
            with self._lock:
                snapshot = self._snapshot
                if snapshot is not None and self._ticks() - snapshot.checked >= RECHECK / 2:
                    self._check()
        finally:
            self._behind = False

    def _check(self) -> _Snapshot:
        """Ask the page's version (under the lock); rebuild the page only if it moved."""
        changes, checked = self._changes, self._ticks()  # before the check: a change during it marks it again
        key = (self._status.version(), self._clock.now().astimezone(self._status.timezone).date())
        snapshot = self._snapshot
        if snapshot is not None and snapshot.key == key:
            snapshot = replace(snapshot, checked=checked, changes=changes)
        else:
            snapshot = _Snapshot(key, self._status.page(), checked, changes)
        self._snapshot = snapshot
        return snapshot
