from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from bot.config import BusinessHoursConfig
from bot.core.business_hours import is_open, next_opening

ROME = ZoneInfo("Europe/Rome")
HOURS = BusinessHoursConfig()  # mon-fri 09:00-18:00


def rome(*args) -> datetime:
    return datetime(*args, tzinfo=ROME).astimezone(timezone.utc)


def test_inside_business_hours_pages_now():
    assert is_open(HOURS, ROME, rome(2026, 11, 23, 9, 0))  # a Monday
    assert next_opening(HOURS, ROME, rome(2026, 11, 23, 17, 59)) == rome(2026, 11, 23, 17, 59)


def test_friday_evening_waits_for_monday_morning():
    assert not is_open(HOURS, ROME, rome(2026, 11, 27, 18, 0))
    assert next_opening(HOURS, ROME, rome(2026, 11, 27, 18, 0)) == rome(2026, 11, 30, 9, 0)


def test_early_morning_waits_for_the_same_day():
    assert next_opening(HOURS, ROME, rome(2026, 11, 24, 3, 0)) == rome(2026, 11, 24, 9, 0)


def test_the_opening_follows_daylight_saving():
    # Sunday 2026-03-29 is when Rome moves to summer time: Monday 09:00 is 07:00 UTC, not 08:00
    assert next_opening(HOURS, ROME, rome(2026, 3, 28, 12, 0)) == datetime(2026, 3, 30, 7, 0, tzinfo=timezone.utc)
