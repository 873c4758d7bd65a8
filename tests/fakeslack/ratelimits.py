"""Slack's rate-limit tiers, for FakeSlack.enforce_tiers() (off by default).

Tiers are per method and per workspace: Tier 1 about 1 call a minute, Tier 2 about 20, Tier 3
about 50, Tier 4 about 100 (tiers from /work/shared/slack/README.md and Slack's method pages).
A tiered method is counted in a sliding window: a call is refused while `limit` accepted calls lie
within the last `window` seconds. chat.postMessage is special: about one message a second per
channel, with short bursts allowed; it is a token bucket per channel (rate 1/s, capacity `burst`,
which Slack does not publish: 5 here by default). Methods not in TIERS (auth.test,
chat.getPermalink, and any the table does not name) are never limited.

`scale` multiplies every rate so tests run fast: scale=60 means 20 calls a second for Tier 2
instead of 20 a minute. Refused calls do not count. Retry-After is whole seconds, at least 1,
as Slack sends it.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}

TIERS = {
    "bookmarks.add": 2,
    "canvases.create": 2,
    "canvases.delete": 3,
    "canvases.edit": 3,
    "chat.postEphemeral": 4,
    "chat.update": 3,
    "conversations.canvases.create": 2,
    "conversations.create": 2,
    "conversations.history": 3,
    "conversations.info": 3,
    "conversations.invite": 3,
    "conversations.list": 2,
    "conversations.members": 4,
    "conversations.open": 3,
    "conversations.replies": 3,
    "conversations.setPurpose": 2,
    "conversations.setTopic": 2,
    "dnd.info": 3,
    "files.completeUploadExternal": 4,
    "files.getUploadURLExternal": 4,
    "pins.add": 2,
    "reactions.add": 3,
    "usergroups.list": 2,
    "usergroups.users.list": 2,
    "users.info": 4,
    "users.list": 2,
    "users.lookupByEmail": 3,
    "views.open": 4,
    "views.push": 4,
    "views.update": 4,
}

POST_MESSAGE = "chat.postMessage"
POST_PER_SECOND = 1.0
POST_BURST = 5


class SlidingWindow:
    """At most `limit` accepted calls within any `window` seconds."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self.accepted: deque[float] = deque()

    def take(self, now: float) -> float | None:
        """Accept a call at `now` (None), or say how many seconds until one would be accepted."""
        while self.accepted and self.accepted[0] <= now - self.window:
            self.accepted.popleft()
        if len(self.accepted) >= self.limit:
            return self.accepted[0] + self.window - now
        self.accepted.append(now)
        return None


class TokenBucket:
    """`rate` calls a second on average, up to `capacity` at once after a quiet spell."""

    def __init__(self, rate: float, capacity: int, now: float):
        self.rate, self.capacity = rate, capacity
        self.tokens, self.last = float(capacity), now

    def take(self, now: float) -> float | None:
        self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens < 1:
            return (1 - self.tokens) / self.rate
        self.tokens -= 1
        return None


class Limiter:
    """The tiers of one workspace; FakeSlack calls check() under its lock."""

    def __init__(self, scale: float = 1.0, burst: int = POST_BURST, clock: Callable[[], float] | None = None):
        if scale <= 0 or burst < 1:
            raise ValueError("scale must be positive and burst at least 1")
        self.scale, self.burst, self.clock = scale, burst, clock or time.monotonic
        self._windows: dict[str, SlidingWindow] = {}
        self._buckets: dict[str, TokenBucket] = {}

    def check(self, method: str, channel: str | None = None) -> int | None:
        """None if the call may go ahead (and it is counted), else the Retry-After in seconds.
        `channel` is the conversation a chat.postMessage posts to."""
        now = self.clock()
        if method == POST_MESSAGE:
            key = channel or ""
            if key not in self._buckets:
                self._buckets[key] = TokenBucket(POST_PER_SECOND * self.scale, self.burst, now)
            wait = self._buckets[key].take(now)
        elif method in TIERS:
            if method not in self._windows:
                self._windows[method] = SlidingWindow(PER_MINUTE[TIERS[method]], 60.0 / self.scale)
            wait = self._windows[method].take(now)
        else:
            return None
        return None if wait is None else max(1, math.ceil(wait))
