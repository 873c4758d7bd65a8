"""Slack's rate limits, kept by the bot instead of hit: a budget per method (and per channel for posts).

Slack limits each Web API method by tier (Tier 2 about 20 calls a minute, Tier 3 about 50, Tier 4
about 100) and chat.postMessage to about one message a second per channel, answering 429 with a
``Retry-After`` past them. In a storm a bot that just calls would spend its threads sleeping on
429s. Here every call of the process takes from one shared budget first; a call the budget cannot
afford now is not made: ``OverBudget`` says when it can be, and the work waits in the database
(the incident's sync retry time, the timer's due time), not in a thread. A 429 that comes anyway
(other processes share the workspace's limits) closes that method, or that channel, for every
thread of the process until its ``Retry-After`` has passed.

When the budget is short it is spent by rank, not by who asks first: each call carries a
``Priority`` (a page or a reply to a person first, then what makes a new incident usable, then
changes people act on, last what can wait) and an order within it (the incident's number, so the
oldest incident finishes first). A call refused for want of budget is remembered as waiting; a
call ranked after it is refused too until the waiters ahead of it have had their turn, so a
backlog drains in order instead of being spread over every incident. A waiter that does not come
back within ``WAITER_GRACE`` of its turn is forgotten. What can wait leaves a small reserve
untouched, so that the next change people act on never waits behind a timeline post.
Each method (each channel, for posts) is its own budget: a call waits only for its own.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import IntEnum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

PER_MINUTE = {2: 20, 3: 50, 4: 100}
TIERS = {
    "conversations.create": 2, "conversations.setTopic": 2, "conversations.setPurpose": 2, "pins.add": 2,
    "conversations.list": 2, "usergroups.users.list": 2, "usergroups.list": 2, "bookmarks.add": 2,
    "conversations.canvases.create": 2, "users.list": 2,
    "chat.update": 3, "conversations.invite": 3, "conversations.history": 3, "conversations.replies": 3,
    "conversations.open": 3, "conversations.info": 3, "dnd.info": 3, "canvases.edit": 3, "users.lookupByEmail": 3,
    "users.info": 4, "views.open": 4, "views.push": 4, "views.update": 4, "chat.postEphemeral": 4,
    "conversations.members": 4, "files.getUploadURLExternal": 4, "files.completeUploadExternal": 4,
}
"""Each method's tier, from Slack's method pages; a method not named here is not limited by the bot."""
POST = "chat.postMessage"
POSTS_PER_SECOND = 1.0
POST_BURST = 4
"""Slack allows short bursts of posts to a channel but does not say how many: four, to stay under."""
WINDOW = 61.0
"""A call is counted against its method's minute for a little more than a minute: Slack counts it when
it arrives, which may be later than when it was taken here (a busy machine, a slow network)."""
WAITER_GRACE = 5.0
"""Seconds past its turn a refused call is still waited for, before the calls behind it go on."""
WAIT_IN_THREAD = 0.25
"""A wait this short is waited in the thread (smoothing a burst); a longer one goes to the database."""


class Priority(IntEnum):
    """What a call is for, most urgent first."""

    PERSON = 0  # a page DM, a reply to someone's request: never behind incident syncs
    NEW = 1  # a new incident's channel, summary (with its buttons), announcement
    CHANGE = 2  # a change people act on: severity, status, roles, acknowledgement, stakeholder updates
    LATER = 3  # topics, timeline posts, canvases, counts


RESERVED = {Priority.LATER: 0.3}
"""The share of a method's minute that calls of this priority leave to more urgent ones (rounded up), where
more urgent calls used the method within the last minute: a summary updated for its counts leaves room for
a change of severity. A channel's posts keep no reserve (its burst is small, and the order of the waiters is
enough); nor do pages, which are first in line (``Priority.PERSON``)."""

Rank = tuple[int, int]
_rank: ContextVar[Rank] = ContextVar("slack_call_rank", default=(Priority.PERSON, 0))


@contextmanager
def ranked(priority: Priority, order: int = 0) -> Iterator[None]:
    """The Slack calls made inside are spent as ``priority``; ``order`` breaks ties (lower first)."""
    token = _rank.set((int(priority), order))
    try:
        yield
    finally:
        _rank.reset(token)


def current_rank() -> Rank:
    return _rank.get()


class OverBudget(Exception):
    """Not now: ``wait`` seconds until this call fits Slack's limits."""

    def __init__(self, method: str, wait: float) -> None:
        super().__init__(f"{method} is over Slack's rate limit for {wait:.1f}s")
        self.method = method
        self.wait = wait


class SlackBudget:
    """One process's budget; ``clock`` gives seconds (the app's injected clock, so tests move it)."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: dict[str, deque[float]] = {}
        self._tokens: dict[str, tuple[float, float]] = {}  # channel: (tokens, at)
        self._closed_until: dict[str, float] = {}  # method or "chat.postMessage:<channel>"
        self._waiting: dict[str, dict[Rank, float]] = {}  # budget: rank of a refused call -> forgotten after
        self._urgent_at: dict[str, float] = {}  # budget: when a call of a priority with no reserve last took it

    def take(self, method: str, channel: str | None = None, rank: Rank | None = None) -> float:
        """Spend one call of ``method`` now (0.0), or say how many seconds until one fits (nothing spent).
        ``rank`` (priority, order) defaults to the caller's (``ranked``)."""
        now = self._clock()
        rank = current_rank() if rank is None else rank
        with self._lock:
            closed = max(self._closed_until.get(method, 0.0), self._closed_until.get(_key(method, channel), 0.0))
            if closed > now:
                return closed - now
            if method == POST and channel:
                key, limit = _key(method, channel), POST_BURST
            elif (tier := TIERS.get(method)) is not None:
                key, limit = method, PER_MINUTE[tier]
            else:
                return 0.0
            urgent_lately = method != POST and self._urgent_at.get(key, -60.0) > now - 60
            reserve = RESERVED.get(rank[0], 0.0) if urgent_lately else 0.0
            needed = self._ahead(key, rank, now) + math.ceil(limit * reserve) + 1
            wait = self._take_post(key, now, needed) if method == POST else self._take_call(key, limit, now, needed)
            waiting = self._waiting.setdefault(key, {})
            if wait:
                waiting[rank] = now + wait + WAITER_GRACE
            else:
                waiting.pop(rank, None)
                if rank[0] not in RESERVED:
                    self._urgent_at[key] = now
            return wait

    def close(self, method: str, channel: str | None, seconds: float) -> None:
        """Slack said 429 for ``seconds``: no thread of this process calls it (there) before then."""
        with self._lock:
            key = _key(method, channel) if method == POST and channel else method
            self._closed_until[key] = max(self._closed_until.get(key, 0.0), self._clock() + seconds)

    def _ahead(self, key: str, rank: Rank, now: float) -> int:
        """How many calls still waiting for this budget rank before ``rank``."""
        waiting = self._waiting.get(key)
        if not waiting:
            return 0
        for gone in [r for r, until in waiting.items() if until < now]:
            del waiting[gone]
        return sum(1 for r in waiting if r < rank)

    def _take_call(self, method: str, limit: int, now: float, needed: int) -> float:
        """A sliding minute of ``limit`` calls: spend one if ``needed`` are free, else the wait until they are."""
        calls = self._calls.setdefault(method, deque())
        while calls and calls[0] <= now - WINDOW:
            calls.popleft()
        short = needed - (limit - len(calls))
        if short <= 0:
            calls.append(now)
            return 0.0
        return (calls[short - 1] if short <= len(calls) else calls[-1]) + WINDOW - now

    def _take_post(self, key: str, now: float, needed: int) -> float:
        """A channel's bucket of posts: spend one if ``needed`` tokens have gathered, else the wait until they have."""
        tokens, at = self._tokens.get(key, (float(POST_BURST), now))
        tokens = min(float(POST_BURST), tokens + (now - at) * POSTS_PER_SECOND)
        self._tokens[key] = (tokens, now)
        if tokens < min(needed, POST_BURST):
            return (needed - tokens) / POSTS_PER_SECOND
        self._tokens[key] = (tokens - 1, now)
        return 0.0


def _key(method: str, channel: str | None) -> str:
    return f"{method}:{channel}"


class BudgetedClient(WebClient):
    """slack-sdk's WebClient, every call taken from the budget first (``api_call`` is where every
    method of the client goes through)."""

    def __init__(self, *args, budget: SlackBudget, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.budget = budget

    def api_call(self, api_method: str, **kwargs):
        channel = _channel(kwargs)
        wait = self.budget.take(api_method, channel)
        if wait > WAIT_IN_THREAD:
            raise OverBudget(api_method, wait)
        if wait:
            time.sleep(wait)
            if self.budget.take(api_method, channel):
                raise OverBudget(api_method, WAIT_IN_THREAD)
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            if exc.response.status_code != 429:
                raise
            retry_after = float(exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after") or 1)
            self.budget.close(api_method, channel, retry_after)
            raise OverBudget(api_method, retry_after) from exc


def _channel(kwargs: dict) -> str | None:
    for name in ("json", "params", "data"):
        value = kwargs.get(name)
        if isinstance(value, dict) and value.get("channel"):
            return str(value["channel"])
    return None
