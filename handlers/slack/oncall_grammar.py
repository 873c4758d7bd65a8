"""The grammar of ``/incident oncall …``: pure parsing, no database and no Slack.

    oncall                                      who is on call (the only schedule)
    oncall <schedule>                           who is on call in that schedule
    oncall override @user <duration> [schedule]                 4h, 90m, 1d12h (``for 4h`` too)
    oncall override @user until [<day>] <HH:MM> [schedule]      day: today, tomorrow, mon…sun, 2026-11-27

``until 18:00`` is the next 18:00 (today if it is still ahead, else tomorrow); ``until fri 18:00``
the next Friday at 18:00 (today if today is Friday and 18:00 is still ahead). Days and times are in
the configured time zone, read as ``bot.core.calendar.to_utc`` reads them. Whether the schedule exists
and whether the end is sensible is for the service to say (``bot.oncall``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.calendar import iso_date, local_time, weekday
from bot.core.durations import parse_duration
from bot.core.errors import UserError, code
from bot.core.when import clock_time, looks_like_a_time, split_range
from bot.slack.commands import usage
from handlers.slack.grammar import user_mention

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_UNTIL_FORMS = "until 18:00, until tomorrow 09:00 or until fri 18:00"


@dataclass(frozen=True)
class ShowOnCall:
    """``/incident oncall [schedule]``; ``schedule`` is None when none was named."""

    schedule: str | None


@dataclass(frozen=True)
class AddOverride:
    """``/incident oncall override …``: exactly one of ``duration`` and ``until`` (aware UTC) is set."""

    user: str
    duration: timedelta | None
    until: datetime | None
    schedule: str | None


def parse_oncall(text: str, tz: ZoneInfo, now: datetime) -> ShowOnCall | AddOverride:
    """The text after ``oncall``; ``now`` (aware) and ``tz`` place ``until`` days and times."""
    words = text.split()
    if not words:
        return ShowOnCall(None)
    if words[0].lower() == "override":
        return _override(words[1:], tz, now)
    if len(words) > 1:
        raise UserError(
            f"{code('/incident oncall')} takes one schedule name, not {code(' '.join(words))}. "
            f"To take a shift, use {code(usage('override'))}.",
            command="oncall",
        )
    return ShowOnCall(_schedule(words[0], "oncall"))


def _override(words: list[str], tz: ZoneInfo, now: datetime) -> AddOverride:
    user = user_mention(words[0] if words else "", "override")
    rest = words[1:]
    if rest and rest[0].lower() == "for":
        rest = rest[1:]
    if not rest:
        raise UserError(
            f"Say how long <@{user}> is on call: a duration such as 4h, or an end such as until fri 18:00.",
            command="override",
        )
    if rest[0].lower() == "until":
        until, rest = _until(rest[1:], tz, now)
        duration = None
    else:
        duration, rest = _duration(rest), rest[1:]
        until = None
    if len(rest) > 1:
        raise UserError(
            f"{code(' '.join(rest))} is more than a schedule name; name at most one schedule, last.",
            command="override",
        )
    schedule = _schedule(rest[0], "override") if rest else None
    return AddOverride(user=user, duration=duration, until=until, schedule=schedule)


def _duration(words: list[str]) -> timedelta:
    try:
        return parse_duration(words[0])
    except ValueError as error:
        message = str(error)
    if words[0].isdigit() and len(words) > 1:  # "4 hours": let parse_duration suggest "4h"
        try:
            parse_duration(" ".join(words[:2]))
        except ValueError as error:
            message = str(error)
    raise UserError(f"{message}.", command="override")


def _until(words: list[str], tz: ZoneInfo, now: datetime) -> tuple[datetime, list[str]]:
    """``[day] HH:MM`` at the start of words, as aware UTC; and the words left after it."""
    if not words:
        raise UserError(f"Say until when, such as {_UNTIL_FORMS}.", command="override")
    today = now.astimezone(tz).date()
    day: date | int | None = None  # a date, a weekday number, or None for "the next HH:MM"
    first = words[0].lower()
    if not looks_like_a_time(first):
        day = _day(first, today)
        words = words[1:]
        if not words:
            raise UserError(f"{code(f'until {first}')} needs a time of day too, such as until {first} 18:00.",
                            command="override")
    at = clock_time(words[0], "override")
    if isinstance(day, date):
        moment = local_time(day, at, tz)
    else:
        ahead = 0 if day is None else (day - today.weekday()) % 7
        moment = local_time(today + timedelta(days=ahead), at, tz)
        if moment <= now:  # that time has passed today: the next one
            moment = local_time(today + timedelta(days=ahead + (1 if day is None else 7)), at, tz)
    return moment, words[1:]


def _day(word: str, today: date) -> date | int:
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    if (number := weekday(word)) is not None:
        return number
    if (day := iso_date(word)) is not None:
        return day
    raise UserError(
        f"{code(word)} is not a day or a time; use {_UNTIL_FORMS} "
        "(days: today, tomorrow, mon to sun, or a date such as 2026-11-27).",
        command="override",
    )


def _schedule(word: str, command: str) -> str:
    name = word.lower()
    if not _NAME.fullmatch(name):
        raise UserError(
            f"{code(word)} is not a schedule name; schedule names are lowercase letters, digits, - and _.",
            command=command,
        )
    return name


# --- time off, cover requests, gaps ------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """``<from> <to>`` as typed (``bot.core.when`` reads them), and a schedule named after them."""

    start: str
    end: str
    schedule: str | None


def parse_numbered(rest: str, command: str) -> int | None:
    """``cancel <n>``: n; None when the text is no cancel."""
    words = rest.split()
    if not words or words[0].lower() != "cancel":
        return None
    if len(words) != 2 or not words[1].isdigit():
        raise UserError(f"Say which one to cancel by its number, such as {code(f'{usage(command).split()[2]} cancel 3')}.",
                        command=command)
    return int(words[1])


def parse_range_words(rest: str, command: str, schedule_allowed: bool) -> Range:
    start, end, extra = split_range(rest, command=command)
    words = extra.split()
    if len(words) > (1 if schedule_allowed else 0):
        more = "a schedule name: name at most one, last" if schedule_allowed else "a range: give the start and the end"
        raise UserError(f"{code(extra)} is more than {more}.", command=command)
    return Range(start, end, _schedule(words[0], command) if words else None)


def parse_schedule(rest: str, command: str) -> str | None:
    words = rest.split()
    if len(words) > 1:
        raise UserError(f"Name at most one schedule, not {code(rest)}.", command=command)
    return _schedule(words[0], command) if words else None
