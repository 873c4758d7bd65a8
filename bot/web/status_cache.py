"""The status page's answers, rendered once per change and served from memory.

During an outage the page is read far more than it changes. Each format (HTML, JSON, Atom) is
rendered once per version of the page and kept with its ETag. A change made in this process
marks the cache stale at once (``StatusService.watch``); changes made by another process are
found within ``RECHECK`` seconds by asking the database for the page's version, one small
query, never a rebuild unless the version moved (or the day did: the bars and past days roll).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.clock import Clock
from bot.status.page import StatusPage
from bot.status.service import StatusService

RECHECK = 1.0
"""Seconds between two version checks when nothing changed here."""


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str
    media_type: str


Renderer = Callable[[StatusPage], tuple[bytes, str]]
"""A format: the page -> (body, media type)."""


class StatusCache:
    def __init__(self, status: StatusService, clock: Clock, formats: dict[str, Renderer]) -> None:
        self._status = status
        self._clock = clock
        self._formats = formats
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._page: StatusPage | None = None
        self._rendered: dict[str, Rendered] = {}
        self._checked = 0.0
        self._stale = True
        status.watch(self.changed)

    def changed(self) -> None:
        self._stale = True

    def fresh(self, kind: str) -> Rendered | None:
        """The format ``kind`` if it is known to be current, without waiting or asking the database
        (so it can answer on the event loop); None when ``get`` has to look."""
        rendered = self._rendered.get(kind)
        if rendered is None or self._stale or time.monotonic() - self._checked >= RECHECK:
            return None
        return rendered

    def get(self, kind: str) -> Rendered:
        """The format ``kind`` of the current page; blocking (run it off the event loop)."""
        with self._lock:
            if self._stale or time.monotonic() - self._checked >= RECHECK:
                self._stale = False  # before the check: a change committed during it marks it again
                self._checked = time.monotonic()
                key = (self._status.version(), self._clock.now().astimezone(self._status.timezone).date())
                if key != self._key:
                    self._key, self._page, self._rendered = key, self._status.page(), {}
            if kind not in self._rendered:
                body, media_type = self._formats[kind](self._page)
                self._rendered[kind] = Rendered(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"', media_type)
            return self._rendered[kind]
