"""How fast this shared machine's cores are at the moment, printed beside a bench's figures.

The same commit's figures moved by half between runs minutes apart (the cores are shared): a
fixed loop timed just before makes figures from different runs and stops comparable."""

from __future__ import annotations

import statistics
import time


def core_speed() -> float:
    """Milliseconds of CPU a fixed pure-Python loop takes, median of 5."""
    def once() -> float:
        began, total = time.process_time(), 0
        for i in range(2_000_000):
            total += i * i
        return (time.process_time() - began) * 1000
    return statistics.median(once() for _ in range(5))
