"""The shared date-range grammar (bot.core.when): moments, ranges, and the words of a command."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import UserError
from bot.core.when import parse_moment, parse_range, split_range
from bot.slack.blocks import error_text

ROME = ZoneInfo("Europe/Rome")
UTC = timezone.utc
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday 25 November 2026, 10:00 in Rome (CET, UTC+1)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("text, end, expected", [
    ("now", False, NOW),
    ("NOW", True, NOW),
    ("in 10m", False, NOW + timedelta(minutes=10)),
    ("in 3d", False, NOW + timedelta(days=3)),
    ("in 1h30m", True, NOW + timedelta(hours=1, minutes=30)),
    ("2026-12-24", False, utc(2026, 12, 23, 23)),  # its start: midnight in Rome
    ("2026-12-24", True, utc(2026, 12, 24, 23)),  # its end: the midnight after it
    ("2026-12-24 09:00", False, utc(2026, 12, 24, 8)),
    ("2026-12-24 09:00", True, utc(2026, 12, 24, 8)),  # a time is a time, from or to
    ("24 dec", False, utc(2026, 12, 23, 23)),
    ("Dec 24", True, utc(2026, 12, 24, 23)),
    ("24 december 18:30", False, utc(2026, 12, 24, 17, 30)),
    ("25 nov", False, utc(2026, 11, 24, 23)),  # today (its start is past: a range begins now)
    ("24 nov", False, utc(2027, 11, 23, 23)),  # yesterday: next year's
    ("fri 18:00", False, utc(2026, 11, 27, 17)),
    ("Friday", False, utc(2026, 11, 26, 23)),
    ("fri", True, utc(2026, 11, 27, 23)),
    ("wed", True, utc(2026, 11, 25, 23)),  # today's end
    ("wed 09:00", False, utc(2026, 12, 2, 8)),  # passed today: next week's
    ("wed 11:00", False, utc(2026, 11, 25, 10)),  # still ahead today
    ("tomorrow 09:00", False, utc(2026, 11, 26, 8)),
    ("tomorrow", True, utc(2026, 11, 26, 23)),
    ("today", False, utc(2026, 11, 24, 23)),
    ("18:00", False, utc(2026, 11, 25, 17)),
    ("08:00", True, utc(2026, 11, 26, 7)),  # passed today: tomorrow's
])
def test_moments(text, end, expected):
    assert parse_moment(text, NOW, ROME, end=end) == expected


def test_moments_across_daylight_saving_are_wall_clock_times_in_the_zone():
    friday = utc(2026, 3, 27, 12)
    assert parse_moment("sun 12:00", friday, ROME) == utc(2026, 3, 29, 10)  # CEST
    assert parse_moment("sun 02:30", friday, ROME) == utc(2026, 3, 29, 1, 30)  # skipped: 03:30 CEST
    assert parse_moment("sun", friday, ROME, end=True) == utc(2026, 3, 29, 22)  # a 23-hour day ends at 00:00 CEST
    assert parse_moment("2026-10-25 02:30", friday, ROME) == utc(2026, 10, 25, 0, 30)  # twice: the first


def test_29_february_is_the_next_one_that_exists():
    assert parse_moment("29 feb", NOW, ROME) == utc(2028, 2, 28, 23)


@pytest.mark.parametrize("text, message", [
    ("", "Say when, such as now, in 2h, tomorrow 09:00, fri 18:00, 24 dec or 2026-12-24 09:00."),
    ("noon", "`noon` is not a date or a time; use now, in 2h, tomorrow 09:00, fri 18:00, 24 dec or 2026-12-24 09:00."),
    ("fri noon", "`noon` is not a date or a time; use now, in 2h, tomorrow 09:00, fri 18:00, 24 dec or "
                 "2026-12-24 09:00."),
    ("fri 25:00", "`25:00` is not a time of day; use HH:MM on a 24-hour clock, such as 18:00."),
    ("fri 6pm", "`6pm` is not a time of day; use HH:MM on a 24-hour clock, such as 18:00."),
    ("31 feb", "`31 feb` is not a date: February 2026 has 28 days."),
    ("2026-02-30", "`2026-02-30` is not a date: February 2026 has 28 days."),
    ("2026-13-01", "`2026-13-01` is not a date: there is no month 13."),
    ("in 3 days", '"3 days" is not a duration; use 3d.'),
    ("in soon", '"soon" is not a duration; use a number with s, m, h or d, such as 90s, 15m, 2h.'),
    ("in", "Say in how long, such as in 10m or in 3d; moments are now, in 2h, tomorrow 09:00, fri 18:00, 24 dec "
           "or 2026-12-24 09:00."),
])
def test_bad_moments_say_what_to_write(text, message):
    with pytest.raises(UserError) as error:
        parse_moment(text, NOW, ROME, command="away")
    assert error_text(error.value) == message
    assert error.value.command == "away"


def test_a_range_that_began_in_the_past_begins_now():
    assert parse_range("today", "fri", NOW, ROME) == (NOW, utc(2026, 11, 27, 23))
    assert parse_range("2026-11-01", "in 2h", NOW, ROME) == (NOW, NOW + timedelta(hours=2))


def test_a_range_in_the_future_is_kept_as_written():
    assert parse_range("24 dec", "2026-12-27 09:00", NOW, ROME) == (utc(2026, 12, 23, 23), utc(2026, 12, 27, 8))


@pytest.mark.parametrize("start, end, message", [
    ("2026-11-01", "2026-11-20", "That ends Sat 21 Nov 00:00 CET, which is already past; give an end that is ahead."),
    ("fri", "thu 09:00", "The end, Thu 26 Nov 09:00 CET, is not after the start, Fri 27 Nov 00:00 CET; give the "
                         "start first, then the end."),
    ("now", "2027-03-01", "That lasts 96d 14h, longer than the 60d allowed; end it by Sun 24 Jan 10:00 CET, and add "
                          "another after it."),
])
def test_bad_ranges_are_refused_saying_why(start, end, message):
    with pytest.raises(UserError) as error:
        parse_range(start, end, NOW, ROME, max_length=timedelta(days=60))
    assert error_text(error.value) == message


@pytest.mark.parametrize("text, expected", [
    ("tomorrow 09:00 fri 18:00", ("tomorrow 09:00", "fri 18:00", "")),
    ("now in 3d platform-primary", ("now", "in 3d", "platform-primary")),
    ("24 dec to 2 jan", ("24 dec", "2 jan", "")),
    ("2026-12-24 09:00 until 2026-12-27 deploy freeze", ("2026-12-24 09:00", "2026-12-27", "deploy freeze")),
    ("fri mon", ("fri", "mon", "")),
    ("in 3 days in 4 days", ("in 3 days", "in 4 days", "")),  # parse_moment then says "use 3d"
    ("dec 24 18:00 - dec 25 db-maintenance", ("dec 24 18:00", "dec 25", "db-maintenance")),
])
def test_split_range_finds_the_two_moments_and_the_rest(text, expected):
    assert split_range(text) == expected


@pytest.mark.parametrize("text, message", [
    ("", "Say from when and until when, such as `tomorrow 09:00 fri 18:00`; moments are now, in 2h, tomorrow "
         "09:00, fri 18:00, 24 dec or 2026-12-24 09:00."),
    ("tomorrow", "Say until when too, after `tomorrow`: such as now, in 2h, tomorrow 09:00, fri 18:00, 24 dec or "
                 "2026-12-24 09:00."),
    ("soon later", "`soon` is not a date or a time; use now, in 2h, tomorrow 09:00, fri 18:00, 24 dec or "
                   "2026-12-24 09:00."),
    ("fri whenever", "`whenever` is not a date or a time; use now, in 2h, tomorrow 09:00, fri 18:00, 24 dec or "
                     "2026-12-24 09:00."),
])
def test_split_range_mistakes(text, message):
    with pytest.raises(UserError) as error:
        split_range(text, command="away")
    assert (error_text(error.value), error.value.command) == (message, "away")
