"""The one retry ladder: how long a failed piece of work waits before it is tried again.

A timer whose handler failed (a page Slack refused) and an incident whose Slack side failed to
sync both wait 5 s, 15 s, 30 s, then every minute, until it works.
"""

from datetime import timedelta

RETRY_STEPS = (timedelta(seconds=5), timedelta(seconds=15), timedelta(seconds=30), timedelta(minutes=1))


def retry_delay(failures: int) -> timedelta:
    """The wait after the ``failures``-th failure in a row (1 for the first)."""
    return RETRY_STEPS[min(max(failures, 1), len(RETRY_STEPS)) - 1]
