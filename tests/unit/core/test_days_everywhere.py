"""Weekdays and times read by ``bot.core.calendar`` wherever they are typed: "thurs" is Thursday in the
configuration, in ``/incident oncall``, in maintenance windows and in action items' due dates, and a
wrong time is told the same way in every command."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.config.schema import BusinessHoursConfig
from bot.core.errors import UserError
from bot.core.when import parse_moment
from bot.slack.blocks import error_text
from handlers.slack.action_grammar import parse_action, parse_date
from handlers.slack.oncall_grammar import parse_oncall

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
UTC = ZoneInfo("UTC")
THURSDAY_18 = datetime(2026, 11, 26, 18, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("written", ["thu", "thurs", "Thursday"])
def test_thursday_is_thursday_everywhere(written):
    assert BusinessHoursConfig(days=[written]).days == (3,)
    assert parse_moment(f"{written} 18:00", MONDAY, UTC) == THURSDAY_18
    assert parse_oncall(f"override <@U02BOB|bob> until {written} 18:00", UTC, MONDAY).until == THURSDAY_18
    assert parse_date(written, MONDAY.date()) == date(2026, 11, 26)
    assert parse_action(f"Write the runbook due {written}", MONDAY.date()).due_on == date(2026, 11, 26)


def test_a_word_after_due_that_names_no_day_is_part_of_the_text():
    assert parse_action("Decide who owns it due decide later", MONDAY.date()).due_on is None


@pytest.mark.parametrize("parse", [
    lambda text: parse_moment(f"fri {text}", MONDAY, UTC),
    lambda text: parse_oncall(f"override <@U02BOB|bob> until fri {text}", UTC, MONDAY),
])
@pytest.mark.parametrize("text", ["25:00", "6pm"])
def test_a_wrong_time_is_told_the_same_way_in_every_command(parse, text):
    with pytest.raises(UserError) as error:
        parse(text)
    assert error_text(error.value) == f"`{text}` is not a time of day; use HH:MM on a 24-hour clock, such as 18:00."
