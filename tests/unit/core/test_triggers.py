"""Trigger ids are remembered for Slack's signature window, and forgotten in a sweep at most once a
minute per process (not on every request, whose ack waits for the take)."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.core.clock import ManualClock
from bot.core.db import make_session_factory
from bot.core.triggers import KEPT, SWEEP_EVERY, Triggers
from models import SlackTrigger

START = datetime(2026, 12, 4, 9, tzinfo=timezone.utc)


def kept(sessions) -> list[str]:
    with sessions() as session:
        return sorted(session.scalars(select(SlackTrigger.trigger_id)))


def test_a_trigger_is_taken_once_and_its_answer_kept_for_a_replay(engine):
    triggers = Triggers(make_session_factory(engine), ManualClock(START))
    assert triggers.take("t1") and not triggers.take("t1")
    triggers.answered("t1", {"reply": ["Recorded", []]})
    assert triggers.first_answer("t1", timeout=0) == {"reply": ["Recorded", []]}


def test_old_ids_are_forgotten_in_a_sweep_at_most_once_a_minute(engine):
    sessions, clock = make_session_factory(engine), ManualClock(START)
    triggers = Triggers(sessions, clock)
    assert triggers.take("old")
    clock.advance(KEPT + timedelta(seconds=1))
    assert triggers.take("first-after")  # a minute since the last sweep: "old" is forgotten
    assert kept(sessions) == ["first-after"]
    with sessions() as session, session.begin():
        session.add(SlackTrigger(trigger_id="stale", received_at=START))
    clock.advance(SWEEP_EVERY / 2)
    assert triggers.take("soon-after")  # no sweep yet: the stale id stays until the next one
    assert kept(sessions) == ["first-after", "soon-after", "stale"]
    clock.advance(SWEEP_EVERY / 2)
    assert triggers.take("a-minute-on")
    assert kept(sessions) == ["a-minute-on", "first-after", "soon-after"]
