from datetime import timedelta

import pytest
from pydantic import BaseModel, ValidationError

from bot.core.durations import Duration, format_duration, parse_duration

HOW = "use a number with s, m, h or d, such as 90s, 15m, 2h"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        (" 20m ", timedelta(minutes=20)),
    ],
)
def test_parses_the_short_form(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("15 minutes", '"15 minutes" is not a duration; use 15m'),
        ("30 sec", '"30 sec" is not a duration; use 30s'),
        ("2 hours", '"2 hours" is not a duration; use 2h'),
        ("1 hr", '"1 hr" is not a duration; use 1h'),
        ("3 days", '"3 days" is not a duration; use 3d'),
        ("1 hour and 30 mins", '"1 hour and 30 mins" is not a duration; use 1h30m'),
        ("15M", '"15M" is not a duration; use 15m'),
        ("15", f'"15" is not a duration; {HOW}'),
        ("1.5h", f'"1.5h" is not a duration; {HOW}'),
        ("2 weeks", f'"2 weeks" is not a duration; {HOW}'),
        ("soon", f'"soon" is not a duration; {HOW}'),
        ("", f'"" is not a duration; {HOW}'),
        ("0m", '"0m" is not a duration; use more than zero, such as 15m'),
    ],
)
def test_a_wrong_duration_says_what_to_write(text, message):
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("td", "text"),
    [
        (timedelta(hours=1, minutes=12, seconds=5), "1h 12m"),
        (timedelta(seconds=45), "45s"),
        (timedelta(days=2, hours=3, minutes=4), "2d 3h"),
        (timedelta(minutes=1, seconds=30), "1m 30s"),
        (timedelta(hours=2), "2h"),
        (timedelta(days=1, minutes=5), "1d"),
        (timedelta(0), "0s"),
        (timedelta(seconds=0.4), "0s"),
        (timedelta(seconds=-90), "-1m 30s"),
    ],
)
def test_format_duration(td, text):
    assert format_duration(td) == text


class _Model(BaseModel):
    every: Duration


def test_duration_field_takes_text_or_timedelta():
    assert _Model(every="15m").every == timedelta(minutes=15)
    assert _Model(every=timedelta(seconds=5)).every == timedelta(seconds=5)


@pytest.mark.parametrize(
    ("value", "message"),
    [("15 minutes", '"15 minutes" is not a duration; use 15m'), (15, f"15 is not a duration; {HOW}")],
)
def test_duration_field_errors_carry_the_message(value, message):
    with pytest.raises(ValidationError) as caught:
        _Model(every=value)
    assert str(caught.value.errors()[0]["ctx"]["error"]) == message
