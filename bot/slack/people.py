"""Looking people up in Slack, off the request path: ``users.info`` for whom the directory lacks.

A page view hands the directory's unknown and stale people here (``ask``) and returns at once.
One background thread looks them up one at a time: each person at most once while a look-up of
them is queued or running, and not again for ``retry_after`` after one failed; the queue is
bounded; and the look-ups take at most ``per_minute`` of ``users.info``'s budget (Tier 4, about
100 a minute) so that checks made while paging (``oncall override``) always find room.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

from slack_sdk.errors import SlackApiError

from bot.core.threads import named_pool
from bot.people import PeopleDirectory
from bot.slack.gateway import SLACK_FAILURES, SlackGateway, error_code

log = logging.getLogger(__name__)

PER_MINUTE = 30
QUEUE_LIMIT = 1000
RETRY_AFTER = 300.0  # seconds before a person whose look-up failed is asked for again


class PeopleLookup:
    def __init__(self, gateway: SlackGateway, directory: PeopleDirectory, *, per_minute: int = PER_MINUTE,
                 queue_limit: int = QUEUE_LIMIT, retry_after: float = RETRY_AFTER,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._gateway = gateway
        self._directory = directory
        self._per_minute = per_minute
        self._queue_limit = queue_limit
        self._retry_after = retry_after
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._queued: dict[str, None] = {}  # in asking order
        self._failed_at: dict[str, float] = {}
        self._calls: deque[float] = deque()
        self._draining = False
        self._idle = threading.Event()
        self._idle.set()
        self._thread = named_pool("people", 1)

    def ask(self, user_ids: Iterable[str]) -> None:
        """Queue these people for a look-up, unless queued, recently failed, or the queue is full."""
        now = self._monotonic()
        with self._lock:
            for user in user_ids:
                failed = self._failed_at.get(user)
                if user in self._queued or len(self._queued) >= self._queue_limit or (
                        failed is not None and now - failed < self._retry_after):
                    continue
                self._queued[user] = None
            if self._queued and not self._draining:
                self._draining = True
                self._idle.clear()
                self._thread.submit(self._drain)

    def refresh(self, user_ids: Iterable[str]) -> None:
        """Look these people up now, in the caller's thread (a worker's job, such as the digest), if stale."""
        for user in self._directory.needing_look_up(list(user_ids)):
            if not self._look_up(user):
                break

    def wait_idle(self, timeout: float = 15) -> bool:
        return self._idle.wait(timeout)

    def shutdown(self) -> None:
        with self._lock:
            self._queued.clear()
        self._thread.shutdown(wait=True)

    def _drain(self) -> None:
        try:
            while True:
                with self._lock:
                    if not self._queued or self._over_my_share():
                        return  # the rest waits for the next page that names them
                    user = next(iter(self._queued))
                if not self._look_up(user):
                    return
                with self._lock:
                    self._queued.pop(user, None)
        finally:
            with self._lock:
                self._draining = False
                self._idle.set()

    def _over_my_share(self) -> bool:
        now = self._monotonic()
        while self._calls and now - self._calls[0] >= 60:
            self._calls.popleft()
        return len(self._calls) >= self._per_minute

    def _look_up(self, user: str) -> bool:
        """One ``users.info``; False when Slack cannot be asked now (the rest waits)."""
        with self._lock:
            self._calls.append(self._monotonic())
        try:
            found = self._gateway.person(user)
        except SLACK_FAILURES as exc:
            log.info("could not look %s up in Slack: %s", user, error_code(exc))
            refused = isinstance(exc, SlackApiError) and exc.response.status_code < 500
            if refused:  # about this person (a missing scope, say): not again for a while
                with self._lock:
                    self._failed_at[user] = self._monotonic()
                    self._queued.pop(user, None)
            return refused  # over budget, a 5xx, unreachable: the queue waits for the next ask
        if found is None:
            self._directory.record_gone(user)
        else:
            self._directory.record(found)
        return True
