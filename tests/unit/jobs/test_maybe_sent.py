"""When a timer's handler must look for an earlier send before sending: one rule for every page."""

from datetime import timedelta

import pytest

from bot.jobs.timers import TryAgain, may_have_acted
from models import Timer


def _after(attempts: int, error: Exception | str | None) -> Timer:
    return Timer(kind="page.step", attempts=attempts, last_error=None if error is None else str(error))


@pytest.mark.parametrize("timer, failures, maybe", [
    (_after(1, None), 0, False),  # the first run: nothing went before
    (_after(2, None), 0, True),  # an earlier run died midway
    (_after(2, "RuntimeError: Slack is down"), 0, True),  # an earlier run failed, perhaps after sending
    (_after(2, TryAgain("sms page 1 waits for its turn 2.0s", timedelta(seconds=2), sent_nothing=True)), 0, False),
    (_after(2, TryAgain("Slack refused 1 page(s)")), 0, True),
    (_after(1, None), 1, True),  # the step failed before, its answer perhaps lost
])
def test_an_earlier_send_is_looked_for_unless_the_earlier_run_only_waited(timer, failures, maybe):
    assert may_have_acted(timer, failures) is maybe


def test_a_wait_keeps_its_message_readable():
    wait = TryAgain("2 page(s) of INC-1 wait for Slack's rate limit", timedelta(seconds=3), sent_nothing=True)
    assert str(wait).endswith("2 page(s) of INC-1 wait for Slack's rate limit") and wait.after == timedelta(seconds=3)
