"""Slack's rate limits, kept by the bot instead of hit: a budget per method (and per channel for posts).

Slack limits each Web API method by tier (Tier 2 about 20 calls a minute, Tier 3 about 50, Tier 4
about 100) and chat.postMessage to about one message a second per channel, answering 429 with a
``Retry-After`` past them. In a storm a bot that just calls would spend its threads sleeping on
429s. Here every call of the process takes from one shared budget first; a call the budget cannot
afford now is not made: ``OverBudget`` says when it can be, and the work waits in the database
(the incident's sync retry time, the timer's due time), not in a thread. A 429 that comes anyway
(other processes share the workspace's limits) closes that method, or that channel, for every
thread of the process until its ``Retry-After`` has passed.
"""

from __future__ import annotations

import threading
import time
from collections import deque

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
WAIT_IN_THREAD = 0.25
"""A wait this short is waited in the thread (smoothing a burst); a longer one goes to the database."""


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

    def take(self, method: str, channel: str | None = None) -> float:
        """Spend one call of ``method`` now (0.0), or say how many seconds until one fits (nothing spent)."""
        now = self._clock()
        with self._lock:
            closed = max(self._closed_until.get(method, 0.0), self._closed_until.get(_key(method, channel), 0.0))
            if closed > now:
                return closed - now
            if method == POST and channel:
                return self._take_post(channel, now)
            tier = TIERS.get(method)
            if tier is None:
                return 0.0
            calls = self._calls.setdefault(method, deque())
            while calls and calls[0] <= now - 60:
                calls.popleft()
            if len(calls) >= PER_MINUTE[tier]:
                return calls[0] + 60 - now
            calls.append(now)
            return 0.0

    def close(self, method: str, channel: str | None, seconds: float) -> None:
        """Slack said 429 for ``seconds``: no thread of this process calls it (there) before then."""
        with self._lock:
            key = _key(method, channel) if method == POST and channel else method
            self._closed_until[key] = max(self._closed_until.get(key, 0.0), self._clock() + seconds)

    def _take_post(self, channel: str, now: float) -> float:
        tokens, at = self._tokens.get(channel, (float(POST_BURST), now))
        tokens = min(float(POST_BURST), tokens + (now - at) * POSTS_PER_SECOND)
        if tokens < 1:
            self._tokens[channel] = (tokens, now)
            return (1 - tokens) / POSTS_PER_SECOND
        self._tokens[channel] = (tokens - 1, now)
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
