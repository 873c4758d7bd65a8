"""A listener's work and its answer: given once, in time or late, and waited for before anyone reads the rows."""

import threading

from handlers.slack import replies
from handlers.slack.replies import LATE, answer_within, wait_for_answers


def test_work_over_in_time_is_answered_at_once_and_never_late(monkeypatch):
    monkeypatch.setattr(replies, "ANSWER_DEADLINE", 5.0)
    told = []
    assert answer_within(lambda: "recorded", told.append) == "recorded"
    wait_for_answers(5)
    assert told == []


def test_late_work_is_answered_once_when_over_and_can_be_waited_for(monkeypatch):
    monkeypatch.setattr(replies, "ANSWER_DEADLINE", 0.05)
    release, told = threading.Event(), []

    def slow() -> str:
        release.wait(10)
        return "recorded at last"

    assert answer_within(slow, told.append) is LATE
    assert told == []
    release.set()
    wait_for_answers(10)  # returns only once the late answer was handed on
    assert told == ["recorded at last"]


def test_work_ending_right_at_the_deadline_is_answered_exactly_once(monkeypatch):
    """Returned or handed to ``late``, never both and never neither, however the two threads interleave."""
    monkeypatch.setattr(replies, "ANSWER_DEADLINE", 0.002)
    for attempt in range(50):
        told = []
        returned = answer_within(lambda n=attempt: n, told.append)
        wait_for_answers(10)
        answers = told + ([] if returned is LATE else [returned])
        assert answers == [attempt]
