"""The calendar's rules: one reading of weekdays, months, HH:MM and dates, one local-to-UTC rule."""

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core import calendar

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize("word, number", [
    ("mon", 0), ("Monday", 0), ("thu", 3), ("thurs", 3), ("THURSDAY", 3), ("tues", 1), (" sun ", 6),
])
def test_a_weekday_is_its_name_or_three_letters_or_more_of_it(word, number):
    assert calendar.weekday(word) == number


@pytest.mark.parametrize("word", ["th", "mo", "", "thursdays", "noon", "fry"])
def test_anything_else_is_no_weekday(word):
    assert calendar.weekday(word) is None


@pytest.mark.parametrize("word, number", [("dec", 12), ("sept", 9), ("January", 1), ("mar", 3)])
def test_a_month_is_its_name_or_three_letters_or_more_of_it(word, number):
    assert calendar.month(word) == number


def test_two_letters_name_no_month():
    assert calendar.month("ma") is None


@pytest.mark.parametrize("text, at", [("09:00", time(9)), ("9:05", time(9, 5)), ("23:59", time(23, 59)),
                                      (" 18:00 ", time(18))])
def test_a_time_of_day_is_hh_mm_on_a_24_hour_clock(text, at):
    assert calendar.time_of_day(text) == at


@pytest.mark.parametrize("text", ["24:00", "9:60", "9", "0900", "9:5", "noon", "18:00:00"])
def test_anything_else_is_no_time_of_day(text):
    assert calendar.time_of_day(text) is None


def test_an_iso_date_must_exist():
    assert calendar.iso_date("2026-11-27") == date(2026, 11, 27)
    assert calendar.iso_date("2026-02-30") is None
    assert calendar.iso_date("27/11/2026") is None
    assert calendar.iso_date("20261127") is None


def test_days_in_month_knows_leap_years():
    assert calendar.days_in_month(2028, 2) == 29
    assert calendar.days_in_month(2026, 2) == 28


def test_local_time_to_utc_follows_the_zone_offset():
    assert calendar.local_time(date(2026, 1, 15), time(9), PARIS) == datetime(2026, 1, 15, 8, tzinfo=timezone.utc)
    assert calendar.local_time(date(2026, 7, 15), time(9), PARIS) == datetime(2026, 7, 15, 7, tzinfo=timezone.utc)


def test_an_ambiguous_local_time_is_its_first_occurrence():
    # 25 October 2026: Paris goes from 03:00 CEST back to 02:00 CET, so 02:30 happens twice
    assert calendar.local_time(date(2026, 10, 25), time(2, 30), PARIS) == datetime(2026, 10, 25, 0, 30,
                                                                                    tzinfo=timezone.utc)


def test_a_local_time_in_the_gap_is_moved_past_it():
    # 29 March 2026: 02:00 CET jumps to 03:00 CEST; 02:30 is read with CET, which is 03:30 CEST
    moment = calendar.local_time(date(2026, 3, 29), time(2, 30), PARIS)
    assert moment == datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)
    assert moment.astimezone(PARIS).time() == time(3, 30)


def test_to_utc_refuses_an_aware_time():
    with pytest.raises(ValueError):
        calendar.to_utc(datetime(2026, 1, 1, tzinfo=timezone.utc), PARIS)


def test_midnight_and_the_local_day():
    assert calendar.midnight(date(2026, 7, 1), PARIS) == datetime(2026, 6, 30, 22, tzinfo=timezone.utc)
    assert calendar.local_day(datetime(2026, 6, 30, 22, 30, tzinfo=timezone.utc), PARIS) == date(2026, 7, 1)


def test_next_weekly_is_strictly_after_and_on_the_day():
    friday_9 = datetime(2026, 11, 27, 8, tzinfo=timezone.utc)  # Fri 09:00 in Paris
    assert calendar.next_weekly(friday_9, 4, time(9), PARIS) == datetime(2026, 12, 4, 8, tzinfo=timezone.utc)
    assert calendar.next_weekly(friday_9, 0, time(9), PARIS) == datetime(2026, 11, 30, 8, tzinfo=timezone.utc)
    assert calendar.next_weekly(friday_9, None, time(10), PARIS) == datetime(2026, 11, 27, 9, tzinfo=timezone.utc)
