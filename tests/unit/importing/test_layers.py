"""A source's rotation as our layer: phase through the handoff and member order, restrictions as hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import ScheduleConfig
from bot.importing.layers import MINUTES_A_WEEK, handoff_text, phase, windows_from_spans
from bot.importing.source import Rotation, Window
from bot.paging import rotation as engine

PEOPLE = ["U01ALICE", "U02BOB", "U03CAROL"]


def rotation(start: datetime, turn: timedelta, zone="Europe/Rome", people=PEOPLE) -> Rotation:
    return Rotation("r", zone, start, turn, turn % timedelta(days=1) == timedelta(0), list(people))


def source_says(rot: Rotation, at: datetime) -> str:
    """The source's rule, independently: turns of wall-clock days (or elapsed time) from its start."""
    tz = ZoneInfo(rot.zone)
    if rot.calendar:
        elapsed = at.astimezone(tz).replace(tzinfo=None) - rot.start.astimezone(tz).replace(tzinfo=None)
    else:
        elapsed = at - rot.start
    return rot.participants[(elapsed // rot.turn) % len(rot.participants)]


def ours(rot: Rotation, at: datetime) -> str:
    phased = phase(rot)
    config = ScheduleConfig(rotation=phased.rotation, handoff=handoff_text(phased.handoff), members=phased.members)
    return engine.shift_at(config, ZoneInfo(rot.zone), at).user


@pytest.mark.parametrize("start, turn", [
    (datetime(2026, 11, 2, 8, tzinfo=timezone.utc), timedelta(days=7)),  # Monday 09:00 in Rome
    (datetime(2026, 11, 4, 16, 30, tzinfo=timezone.utc), timedelta(days=1)),
    (datetime(2026, 11, 9, 8, tzinfo=timezone.utc), timedelta(days=14)),  # the other parity of fortnights
    (datetime(2026, 11, 2, 8, tzinfo=timezone.utc), timedelta(days=14)),
    (datetime(2026, 10, 1, 5, tzinfo=timezone.utc), timedelta(days=10)),
    (datetime(2026, 7, 1, 13, tzinfo=timezone.utc), timedelta(hours=12)),  # anchored in summer time
    (datetime(2026, 7, 1, 13, 30, tzinfo=timezone.utc), timedelta(hours=36)),
])
def test_every_hour_of_two_months_and_both_clock_changes_agree(start, turn):
    rot = rotation(start, turn)
    assert phase(rot) is not None
    at = datetime(2027, 2, 20, tzinfo=timezone.utc)
    while at < datetime(2027, 4, 20, tzinfo=timezone.utc):  # across 28 March 2027
        assert ours(rot, at) == source_says(rot, at), at
        at += timedelta(hours=1)


def test_a_weekly_rotation_reads_with_its_day_and_a_daily_one_without():
    assert handoff_text(phase(rotation(datetime(2026, 11, 2, 8, tzinfo=timezone.utc), timedelta(days=7))).handoff) == \
        "mon 09:00"
    assert handoff_text(phase(rotation(datetime(2026, 11, 4, 8, tzinfo=timezone.utc), timedelta(days=1))).handoff) == \
        "09:00"


def test_an_elapsed_turn_that_no_handoff_within_a_week_can_start_is_refused():
    anchor = datetime(2023, 12, 31, 23, tzinfo=timezone.utc)  # our anchor, 1 Jan 2024 00:00 in Rome
    turn = timedelta(hours=200)
    assert phase(rotation(anchor + 100 * turn + timedelta(days=8), turn)) is None
    found = phase(rotation(anchor + 100 * turn + timedelta(days=6), turn))
    assert found is not None and handoff_text(found.handoff) == "sun 00:00"


def test_weekday_hours_are_one_window():
    spans = [(day * 1440 + 9 * 60, 9 * 60) for day in range(5)]
    assert windows_from_spans(spans) == [Window((0, 1, 2, 3, 4), time(9), time(18))]


def test_nights_cross_midnight_in_one_window_and_sunday_night_runs_into_monday():
    assert windows_from_spans([(day * 1440 + 18 * 60, 15 * 60) for day in range(7)]) == [
        Window((0, 1, 2, 3, 4, 5, 6), time(18), time(9))]


def test_the_whole_week_is_no_restriction():
    assert windows_from_spans([(day * 1440, 1440) for day in range(7)]) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, MINUTES_A_WEEK - 1), st.integers(1, 3 * 1440)), min_size=1, max_size=4))
def test_windows_cover_exactly_the_spans(spans):
    """Whatever the restriction, the windows cover the same minutes of the week (each window under 24 hours)."""
    def in_spans(minute):
        return any((minute - start) % MINUTES_A_WEEK < length for start, length in spans)

    windows = windows_from_spans(spans)
    if windows is None:
        assert all(in_spans(m) for m in range(0, MINUTES_A_WEEK, 30))
        return

    def in_windows(minute):
        for window in windows:
            start = window.start.hour * 60 + window.start.minute
            end = window.end.hour * 60 + window.end.minute
            length = (end - start) % 1440
            assert length > 0
            if any((minute - (day * 1440 + start)) % MINUTES_A_WEEK < length for day in window.days):
                return True
        return False

    for minute in range(0, MINUTES_A_WEEK, 15):
        assert in_windows(minute) == in_spans(minute), minute
