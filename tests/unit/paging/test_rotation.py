"""Rotation arithmetic (bot.paging.rotation) and the /incident oncall grammar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import RotationConfig
from bot.core.calendar import to_utc
from bot.core.errors import UserError
from bot.paging.rotation import EPOCH, anchor_date, is_calendar, shift_at, shifts_between
from bot.slack.blocks import error_text
from bot.slack.commands import usage
from handlers.slack.oncall_grammar import AddOverride, ShowOnCall, parse_oncall
from tests.unit.paging.strategies import instants, schedules, zones

ALICE, BOB, CAROL, DAVE, ERIN = "U01ALICE", "U02BOB", "U03CAROL", "U04DAVE", "U05ERIN"
UTC = timezone.utc
ROME = ZoneInfo("Europe/Rome")
NEW_YORK = ZoneInfo("America/New_York")
UTC_ZONE = ZoneInfo("UTC")
TICK = timedelta(microseconds=1)


def schedule(rotation="weekly", handoff="mon 09:00", members=(ALICE, BOB, CAROL)) -> RotationConfig:
    return RotationConfig(rotation=rotation, handoff=handoff, members=list(members))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(tz: ZoneInfo, *args) -> datetime:
    return to_utc(datetime(*args), tz)


def hours(shift) -> float:
    return (shift.end - shift.start) / timedelta(hours=1)


# --- the anchor and the kinds of rotation ----------------------------------------------------------


def test_shift_zero_is_the_first_handoff_on_or_after_2024_01_01_local():
    weekly = schedule()
    first = shift_at(weekly, ROME, utc(2024, 1, 1, 8))
    assert (first.number, first.user) == (0, ALICE)
    assert first.start == utc(2024, 1, 1, 8)  # Monday 1 January 2024, 09:00 CET
    before = shift_at(weekly, ROME, utc(2024, 1, 1, 7, 59))
    assert (before.number, before.user, before.end) == (-1, CAROL, first.start)


@pytest.mark.parametrize("handoff, start", [
    ("mon 09:00", datetime(2024, 1, 1, 9)),
    ("wed 18:00", datetime(2024, 1, 3, 18)),
    ("sun 00:00", datetime(2024, 1, 7, 0)),
    ("07:30", datetime(2024, 1, 1, 7, 30)),
])
def test_the_anchor_follows_the_handoff_day(handoff, start):
    weekly = schedule(handoff=handoff)
    assert anchor_date(weekly) == start.date()
    shift = shift_at(weekly, ROME, to_utc(start, ROME))
    assert (shift.number, shift.start) == (0, to_utc(start, ROME))


@pytest.mark.parametrize("rotation, calendar", [
    ("hourly", False), ("daily", True), ("weekly", True),
    (timedelta(hours=12), False), (timedelta(minutes=90), False), (timedelta(hours=36), False),
    (timedelta(days=1), True), (timedelta(days=2), True), (timedelta(days=14), True),
])
def test_whole_days_are_calendar_rotations_everything_else_elapsed_time(rotation, calendar):
    assert is_calendar(schedule(rotation=rotation)) is calendar


def test_members_take_turns_in_order():
    daily = schedule(rotation="daily", handoff="09:00", members=(ALICE, BOB, CAROL))
    shifts = shifts_between(daily, ROME, utc(2026, 5, 4, 12), utc(2026, 5, 10, 12))
    users = [shift.user for shift in shifts]
    start = users.index(ALICE)
    assert users[start:start + 4] == [ALICE, BOB, CAROL, ALICE]


def test_hourly_boundaries_keep_the_handoff_minutes():
    hourly = schedule(rotation="hourly", handoff="mon 09:30", members=(ALICE, BOB))
    shift = shift_at(hourly, UTC_ZONE, utc(2026, 7, 15, 14, 10))
    assert (shift.start, shift.end) == (utc(2026, 7, 15, 13, 30), utc(2026, 7, 15, 14, 30))


def test_an_instant_must_be_aware():
    with pytest.raises(ValueError, match="naive datetime"):
        shift_at(schedule(), ROME, datetime(2026, 1, 1))


# --- daylight saving: Europe/Rome (29 March and 25 October 2026) and America/New_York (8 March, 1 November) --


@pytest.mark.parametrize("tz, rotation, handoff, inside, start, end, length", [
    # weekly at 09:00: the week across the change is 167 or 169 hours, and 09:00 stays 09:00
    (ROME, "weekly", "mon 09:00", utc(2026, 3, 25), (2026, 3, 23, 9), (2026, 3, 30, 9), 167),
    (ROME, "weekly", "mon 09:00", utc(2026, 10, 21), (2026, 10, 19, 9), (2026, 10, 26, 9), 169),
    (NEW_YORK, "weekly", "sun 09:00", utc(2026, 3, 5), (2026, 3, 1, 9), (2026, 3, 8, 9), 167),
    (NEW_YORK, "weekly", "sun 09:00", utc(2026, 10, 28), (2026, 10, 25, 9), (2026, 11, 1, 9), 169),
    # daily at 09:00: the day of the change is 23 or 25 hours
    (ROME, "daily", "09:00", utc(2026, 3, 28, 12), (2026, 3, 28, 9), (2026, 3, 29, 9), 23),
    (ROME, "daily", "09:00", utc(2026, 10, 24, 12), (2026, 10, 24, 9), (2026, 10, 25, 9), 25),
    (NEW_YORK, "daily", "09:00", utc(2026, 3, 7, 20), (2026, 3, 7, 9), (2026, 3, 8, 9), 23),
    (NEW_YORK, "daily", "09:00", utc(2026, 10, 31, 20), (2026, 10, 31, 9), (2026, 11, 1, 9), 25),
    # a handoff at 02:30 on the spring-forward day is read with the winter offset: 03:30 summer time
    (ROME, "daily", "02:30", utc(2026, 3, 28, 12), (2026, 3, 28, 2, 30), (2026, 3, 29, 3, 30), 24),
    (ROME, "daily", "02:30", utc(2026, 3, 29, 12), (2026, 3, 29, 3, 30), (2026, 3, 30, 2, 30), 23),
    (NEW_YORK, "daily", "02:30", utc(2026, 3, 7, 12), (2026, 3, 7, 2, 30), (2026, 3, 8, 3, 30), 24),
    (NEW_YORK, "daily", "02:30", utc(2026, 3, 8, 12), (2026, 3, 8, 3, 30), (2026, 3, 9, 2, 30), 23),
    (ROME, "weekly", "sun 02:30", utc(2026, 3, 25), (2026, 3, 22, 2, 30), (2026, 3, 29, 3, 30), 168),
    (ROME, "weekly", "sun 02:30", utc(2026, 4, 1), (2026, 3, 29, 3, 30), (2026, 4, 5, 2, 30), 167),
    # a handoff at an hour that happens twice on the fall-back night is its first occurrence (summer time)
    (ROME, "daily", "02:30", utc(2026, 10, 24, 12), (2026, 10, 24, 2, 30), (2026, 10, 25, 2, 30), 24),
    (ROME, "daily", "02:30", utc(2026, 10, 25, 12), (2026, 10, 25, 2, 30), (2026, 10, 26, 2, 30), 25),
    (NEW_YORK, "daily", "01:30", utc(2026, 11, 1, 12), (2026, 11, 1, 1, 30), (2026, 11, 2, 1, 30), 25),
])
def test_calendar_rotations_across_daylight_saving(tz, rotation, handoff, inside, start, end, length):
    shift = shift_at(schedule(rotation=rotation, handoff=handoff), tz, inside)
    assert shift.start.astimezone(tz).replace(tzinfo=None) == datetime(*start)
    assert shift.end.astimezone(tz).replace(tzinfo=None) == datetime(*end)
    assert hours(shift) == length


def test_the_fall_back_handoff_is_the_first_of_the_two_0230s():
    shift = shift_at(schedule(rotation="daily", handoff="02:30"), ROME, utc(2026, 10, 25, 12))
    assert shift.start == utc(2026, 10, 25, 0, 30)  # 02:30 CEST, not 02:30 CET (01:30 UTC)
    assert shift.start.astimezone(ROME).fold == 0


@pytest.mark.parametrize("tz, inside, start, end", [
    # 12h from 09:00 CET is 08:00/20:00 UTC all year: 09:00/21:00 in winter, 10:00/22:00 in summer
    (ROME, utc(2026, 3, 29, 1), utc(2026, 3, 28, 20), utc(2026, 3, 29, 8)),
    (ROME, utc(2026, 10, 25, 1), utc(2026, 10, 24, 20), utc(2026, 10, 25, 8)),
    (ROME, utc(2026, 7, 1, 12), utc(2026, 7, 1, 8), utc(2026, 7, 1, 20)),
    (NEW_YORK, utc(2026, 3, 8, 5), utc(2026, 3, 8, 2), utc(2026, 3, 8, 14)),
    (NEW_YORK, utc(2026, 11, 1, 5), utc(2026, 11, 1, 2), utc(2026, 11, 1, 14)),
])
def test_twelve_hour_rotations_are_twelve_real_hours_across_daylight_saving(tz, inside, start, end):
    shift = shift_at(schedule(rotation="12h", handoff="09:00"), tz, inside)
    assert (shift.start, shift.end) == (start, end)


def test_twelve_hour_rotation_local_times_move_with_summer_time():
    twelve = schedule(rotation="12h", handoff="09:00")
    winter = shift_at(twelve, ROME, utc(2026, 1, 15, 10))
    summer = shift_at(twelve, ROME, utc(2026, 7, 15, 10))
    assert winter.start.astimezone(ROME).time() == time(9)
    assert summer.start.astimezone(ROME).time() == time(10)


def test_hourly_across_the_fall_back_night_has_two_shifts_starting_at_0100_local():
    hourly = schedule(rotation="hourly", handoff="00:00", members=(ALICE, BOB))
    first = shift_at(hourly, NEW_YORK, utc(2026, 11, 1, 5, 30))  # 01:30 EDT
    second = shift_at(hourly, NEW_YORK, utc(2026, 11, 1, 6, 30))  # 01:30 EST
    assert second.number == first.number + 1
    assert hours(first) == hours(second) == 1
    assert [s.start.astimezone(NEW_YORK).strftime("%H:%M %Z") for s in (first, second)] == ["01:00 EDT", "01:00 EST"]


# --- properties ----------------------------------------------------------------------------------

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(schedules, zones, instants)
def test_the_shift_at_an_instant_contains_it_and_belongs_to_the_members_in_turn(sched, tz, at):
    shift = shift_at(sched, tz, at)
    assert shift.start <= at < shift.end
    assert shift.user == sched.members[shift.number % len(sched.members)]
    assert shift.start.tzinfo is UTC and shift.end.tzinfo is UTC


@FAST
@given(schedules, zones, instants)
def test_consecutive_shifts_tile_time(sched, tz, at):
    shift = shift_at(sched, tz, at)
    following = shift_at(sched, tz, shift_at(sched, tz, at).end)
    assert following.start == shift.end and following.number == shift.number + 1
    assert shift_at(sched, tz, shift.end) == following
    assert shift_at(sched, tz, shift.end - TICK) == shift
    assert shift_at(sched, tz, shift.start) == shift


@FAST
@given(schedules, zones, instants, st.integers(1, 6))
def test_shifts_between_cover_the_window_without_gaps_or_overlaps(sched, tz, start, periods):
    end = start + periods * sched.period
    shifts = shifts_between(sched, tz, start, end)
    assert shifts[0].start <= start and shifts[-1].end >= end
    assert all(a.end == b.start and b.number == a.number + 1 for a, b in zip(shifts, shifts[1:], strict=False))
    assert all(s.start < end for s in shifts)


@FAST
@given(schedules.filter(is_calendar), zones, instants)
def test_calendar_boundaries_are_at_the_handoff_time_in_the_zone(sched, tz, at):
    shift = shift_at(sched, tz, at)
    for number, moment in ((shift.number, shift.start), (shift.number + 1, shift.end)):
        day = anchor_date(sched) + timedelta(days=number * sched.period.days)
        wall = datetime.combine(day, sched.handoff.at)
        seen = moment.astimezone(tz)
        assert seen.fold == 0  # an hour that happens twice: the first time
        if to_utc(wall, tz).astimezone(tz).replace(tzinfo=None) == wall:  # the wall time exists that day
            assert seen.replace(tzinfo=None) == wall
        else:  # in the gap: pushed later by the gap, still that day
            assert seen.date() == day and seen.time() > sched.handoff.at
    if sched.handoff.weekday is not None and sched.period.days % 7 == 0:
        assert shift.start.astimezone(tz).weekday() == sched.handoff.weekday


@FAST
@given(schedules.filter(lambda s: not is_calendar(s)), zones, instants)
def test_elapsed_time_rotations_last_exactly_their_period(sched, tz, at):
    shift = shift_at(sched, tz, at)
    assert shift.end - shift.start == sched.period
    anchor = to_utc(datetime.combine(anchor_date(sched), sched.handoff.at), tz)
    assert (shift.start - anchor) % sched.period == timedelta(0)


def test_the_epoch_is_a_monday():
    assert EPOCH.weekday() == 0


# --- the /incident oncall grammar ------------------------------------------------------------------

NOW = local(ROME, 2026, 11, 25, 10)  # Wednesday 25 November 2026, 10:00 in Rome (09:00 UTC)


def parse(text, now=NOW):
    return parse_oncall(text, ROME, now)


@pytest.mark.parametrize("text, expected", [
    ("", ShowOnCall(None)),
    ("   ", ShowOnCall(None)),
    ("platform-primary", ShowOnCall("platform-primary")),
    ("Platform-Primary", ShowOnCall("platform-primary")),
    ("override <@U02BOB|bob> 4h", AddOverride(BOB, timedelta(hours=4), None, None)),
    ("OVERRIDE <@U02BOB> 1h30m platform-primary", AddOverride(BOB, timedelta(hours=1, minutes=30), None, "platform-primary")),
    ("override <@U02BOB|bob> for 2d", AddOverride(BOB, timedelta(days=2), None, None)),
    # until: days and times in Europe/Rome (CET, UTC+1, in November)
    ("override <@U02BOB|bob> until fri 18:00", AddOverride(BOB, None, utc(2026, 11, 27, 17), None)),
    ("override <@U02BOB|bob> until Friday 18:00 secondary", AddOverride(BOB, None, utc(2026, 11, 27, 17), "secondary")),
    ("override <@U02BOB|bob> until 18:00", AddOverride(BOB, None, utc(2026, 11, 25, 17), None)),
    ("override <@U02BOB|bob> until 09:00", AddOverride(BOB, None, utc(2026, 11, 26, 8), None)),  # passed today
    ("override <@U02BOB|bob> until tomorrow 09:00", AddOverride(BOB, None, utc(2026, 11, 26, 8), None)),
    ("override <@U02BOB|bob> until wed 11:00", AddOverride(BOB, None, utc(2026, 11, 25, 10), None)),  # later today
    ("override <@U02BOB|bob> until wed 09:00", AddOverride(BOB, None, utc(2026, 12, 2, 8), None)),  # next week
    ("override <@U02BOB|bob> until today 08:00", AddOverride(BOB, None, utc(2026, 11, 25, 7), None)),  # the service refuses
    ("override <@U02BOB|bob> until 2026-12-01 9:30", AddOverride(BOB, None, utc(2026, 12, 1, 8, 30), None)),
])
def test_oncall_grammar(text, expected):
    assert parse(text) == expected


def test_until_a_time_that_does_not_exist_that_night_is_read_like_a_handoff():
    friday = local(ROME, 2026, 3, 27, 10)
    assert parse("override <@U02BOB|bob> until sun 02:30", friday).until == utc(2026, 3, 29, 1, 30)  # 03:30 CEST
    assert parse("override <@U02BOB|bob> until sun 12:00", friday).until == utc(2026, 3, 29, 10)  # CEST


@pytest.mark.parametrize("text, message, usage", [
    ("override", "Name a person.", "override"),
    ("override bob 4h", "`bob` is plain text, not a Slack user. Pick the person from Slack's @ autocomplete so it "
                        "becomes a mention.", "override"),
    ("override <@U02BOB|bob>", "Say how long <@U02BOB> is on call: a duration such as 4h, or an end such as "
                               "until fri 18:00.", "override"),
    ("override <@U02BOB|bob> 4 hours", '"4 hours" is not a duration; use 4h.', "override"),
    ("override <@U02BOB|bob> forever", '"forever" is not a duration; use a number with s, m, h or d, such as '
                                       '90s, 15m, 2h.', "override"),
    ("override <@U02BOB|bob> 0m", '"0m" is not a duration; use more than zero, such as 15m.', "override"),
    ("override <@U02BOB|bob> until", "Say until when, such as until 18:00, until tomorrow 09:00 or until fri 18:00.",
     "override"),
    ("override <@U02BOB|bob> until fri", "`until fri` needs a time of day too, such as until fri 18:00.",
     "override"),
    ("override <@U02BOB|bob> until 25:00", "`25:00` is not a time of day; use HH:MM on a 24-hour clock, such as "
                                           "18:00.", "override"),
    ("override <@U02BOB|bob> until fri 6pm", "`6pm` is not a time of day; use HH:MM on a 24-hour clock, such as "
                                             "18:00.", "override"),
    ("override <@U02BOB|bob> until noon", "`noon` is not a day or a time; use until 18:00, until tomorrow 09:00 or "
                                          "until fri 18:00 (days: today, tomorrow, mon to sun, or a date such as "
                                          "2026-11-27).", "override"),
    ("override <@U02BOB|bob> until 2026-02-30 18:00", "`2026-02-30` is not a day or a time; use until 18:00, until "
                                                      "tomorrow 09:00 or until fri 18:00 (days: today, tomorrow, mon "
                                                      "to sun, or a date such as 2026-11-27).", "override"),
    ("override <@U02BOB|bob> 4h primary please", "`primary please` is more than a schedule name; name at most one "
                                                 "schedule, last.", "override"),
    ("override <@U02BOB|bob> 4h Prim@ry", "`Prim@ry` is not a schedule name; schedule names are lowercase letters, "
                                          "digits, - and _.", "override"),
    ("platform primary", "`/incident oncall` takes one schedule name, not `platform primary`. To take a shift, use "
                         f"`{usage('override')}`.", "oncall"),
    ("<#C123|ops>", "`<#C123|ops>` is not a schedule name; schedule names are lowercase letters, digits, - and _.",
     "oncall"),
])
def test_oncall_grammar_mistakes(text, message, usage):
    with pytest.raises(UserError) as error:
        parse(text)
    assert error_text(error.value) == message
    assert error.value.command == usage


def test_grammar_usages():
    assert usage("oncall") == "/incident oncall [schedule]"
    assert usage("override") == "/incident oncall override @user <4h|until fri 18:00> [schedule]"
    assert date(2026, 11, 25).weekday() == 2  # NOW is a Wednesday, as the cases above assume
