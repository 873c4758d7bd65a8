"""A per-process send rate per way of paging (``send_rates`` in the file: messages per second).

Providers cap how fast an account may send (Twilio queues SMS at about one per second per number;
ntfy.sh limits a visitor's bursts). A step over the rate is not a failure: it waits its turn.
"""

from __future__ import annotations

import threading
import time

from bot.core.errors import PageNotDelivered


class SendRates:
    def __init__(self, rates: dict[str, float], monotonic=time.monotonic) -> None:
        self._rates = rates
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        self._monotonic = monotonic

    def take(self, method: str) -> None:
        """Take a slot now, or raise ``PageNotDelivered`` with how long to wait for the next one."""
        rate = self._rates.get(method)
        if not rate:
            return
        with self._lock:
            now = self._monotonic()
            slot = max(self._next.get(method, now), now)
            if slot - now > 0:
                raise PageNotDelivered(f"over the send rate of {rate:g}/s", permanent=False, wait=slot - now)
            self._next[method] = slot + 1 / rate
