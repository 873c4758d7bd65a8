"""The one grammar of moments and ranges people type: ``/incident oncall away|cover`` and
``/incident maintenance``. Pure: ``now`` and the zone are given.

A moment is one of (any case)::

    now
    in <duration>            in 10m, in 3d, in 1h30m
    <day> [HH:MM]            today, tomorrow, mon…sun (or monday…), 2026-12-24, 24 dec, dec 24
    HH:MM                    that time today if it is still ahead, else tomorrow

A weekday is the next one, today included (with a time already past today: next week's); a day
and month without a year the next one, today included. A day alone is its start or, read as the end
of a range (``end=True``), its end: the midnight after it. Times are read in the zone as handoffs are
(``bot.core.calendar.to_utc``: an hour that happens twice is the first, one skipped moves on by the
skip). A range that begins in the past begins now; one that ends in the past is refused.

Weekday and month names, HH:MM, month lengths and local time to UTC are ``bot.core.calendar``'s.
"""

from __future__ import annotations

import calendar as _months
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.core import calendar
from bot.core.calendar import days_in_month, time_of_day, to_utc
from bot.core.durations import format_duration, parse_duration
from bot.core.errors import UserError, code

FORMS = "now, in 2h, tomorrow 09:00, fri 18:00, 24 dec or 2026-12-24 09:00"

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_CLOCKISH = re.compile(r"\d{1,2}:\d+|\d{1,2}(?:am|pm)")  # read as a time, so that 25:00 or 6pm is told how to write it
_NUMBER = re.compile(r"\d{1,2}")
_UNIT_WORDS = re.compile(r"(?:s|sec|secs|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)")
_SEPARATORS = {"to", "until", "till", "-", "–", "→"}


# --- splitting a command's words into moments ------------------------------------------------------


def _day_words(words: list[str]) -> int:
    """How many of the first words name a day (0, 1 or 2)."""
    if not words:
        return 0
    first = words[0].lower()
    if first in ("today", "tomorrow") or calendar.weekday(first) is not None or _ISO.fullmatch(first):
        return 1
    if len(words) > 1 and ((_NUMBER.fullmatch(first) and calendar.month(words[1]) is not None)
                           or (calendar.month(first) is not None and _NUMBER.fullmatch(words[1]))):
        return 2
    return 0


def _moment_words(words: list[str]) -> int:
    """How many of the first words make one moment (0: they do not start one)."""
    if not words:
        return 0
    first = words[0].lower()
    if first == "now":
        return 1
    if first == "in":
        taken = min(2, len(words))
        if len(words) > 2 and words[1].isdigit() and _UNIT_WORDS.fullmatch(words[2].lower()):
            taken = 3  # "in 3 days": taken whole, so that the duration's message says "use 3d"
        return taken
    if _CLOCKISH.fullmatch(first):
        return 1
    day = _day_words(words)
    if day and len(words) > day and _CLOCKISH.fullmatch(words[day].lower()):
        return day + 1
    return day


def split_range(text: str, *, command: str | None = None) -> tuple[str, str, str]:
    """``<from> [to] <to> [rest]`` as the from text, the to text and the rest (a schedule, a reason).

    Only the shape of the words is read here; ``parse_range`` says whether the dates exist.
    """
    words = text.split()
    taken = _moment_words(words)
    if not taken:
        raise UserError(_not_a_moment(words[0] if words else ""), command=command)
    start, words = " ".join(words[:taken]), words[taken:]
    if words and words[0].lower() in _SEPARATORS:
        words = words[1:]
    taken = _moment_words(words)
    if not taken:
        if not words:
            raise UserError(f"Say until when too, after {code(start)}: such as {FORMS}.", command=command)
        raise UserError(_not_a_moment(words[0]), command=command)
    return start, " ".join(words[:taken]), " ".join(words[taken:])


def _not_a_moment(word: str) -> str:
    if not word:
        return f"Say from when and until when, such as `tomorrow 09:00 fri 18:00`; moments are {FORMS}."
    return f"`{word}` is not a date or a time; use {FORMS}."


# --- reading one moment -----------------------------------------------------------------------------


def parse_moment(text: str, now: datetime, zone: ZoneInfo, *, end: bool = False,
                 command: str | None = None) -> datetime:
    """The instant ``text`` names, as aware UTC; a day alone is its start, or its end with ``end``."""
    words = text.split()
    if not words:
        raise UserError(f"Say when, such as {FORMS}.", command=command)
    if _moment_words(words) != len(words):
        raise UserError(_not_a_moment(words[_moment_words(words)] if _moment_words(words) else words[0]),
                        command=command)
    first = words[0].lower()
    if first == "now":
        return now.astimezone(timezone.utc)
    if first == "in":
        return now.astimezone(timezone.utc) + _duration(" ".join(words[1:]), command)
    today = now.astimezone(zone).date()
    day_words = _day_words(words)
    if not day_words:  # HH:MM alone
        at = clock_time(first, command)
        moment = to_utc(datetime.combine(today, at), zone)
        return moment if moment > now else to_utc(datetime.combine(today + timedelta(days=1), at), zone)
    day_text = " ".join(words[:day_words])
    clock = clock_time(words[day_words], command) if len(words) > day_words else None
    day = _day(day_text, today, command)
    if clock is None:
        return to_utc(datetime.combine(day + timedelta(days=1) if end else day, time()), zone)
    moment = to_utc(datetime.combine(day, clock), zone)
    if calendar.weekday(day_text) is not None and moment <= now:  # fri 18:00 on a Friday evening: next week's
        moment = to_utc(datetime.combine(day + timedelta(days=7), clock), zone)
    return moment


def _duration(text: str, command: str | None) -> timedelta:
    if not text:
        raise UserError(f"Say in how long, such as in 10m or in 3d; moments are {FORMS}.", command=command)
    try:
        return parse_duration(text)
    except ValueError as error:
        raise UserError(f"{error}.", command=command) from None


def looks_like_a_time(word: str) -> bool:
    """Whether a word is meant as a time of day (18:00, 25:00, 6pm), so that a wrong one is told how
    to write a time rather than that it is no day."""
    return _CLOCKISH.fullmatch(word.lower()) is not None


def clock_time(word: str, command: str | None) -> time:
    """``HH:MM`` as a command reads it; a ``UserError`` saying how to write one otherwise."""
    if (at := time_of_day(word)) is not None:
        return at
    raise UserError(f"{code(word)} is not a time of day; use HH:MM on a 24-hour clock, such as 18:00.", command=command)


def _day(text: str, today: date, command: str | None) -> date:
    """``text`` (as ``_day_words`` found it) as a local date."""
    word = text.lower()
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    if (number := calendar.weekday(word)) is not None:
        return today + timedelta(days=(number - today.weekday()) % 7)
    if iso := _ISO.fullmatch(word):
        return _date(text, int(iso[1]), int(iso[2]), int(iso[3]), command)
    first, second = word.split()
    number, month = (int(first), calendar.month(second)) if first.isdigit() else (int(second), calendar.month(first))
    for year in range(today.year, today.year + 8):  # the next one, today included (29 feb: a leap year)
        if number <= days_in_month(year, month) and date(year, month, number) >= today:
            return date(year, month, number)
    return _date(text, today.year, month, number, command)


def _date(text: str, year: int, month: int, day: int, command: str | None) -> date:
    if not 1 <= month <= 12:
        raise UserError(f"{code(text)} is not a date: there is no month {month}.", command=command)
    days = days_in_month(year, month)
    if not 1 <= day <= days:
        raise UserError(f"{code(text)} is not a date: {_months.month_name[month]} {year} has {days} days.",
                        command=command)
    return date(year, month, day)


# --- a range ---------------------------------------------------------------------------------------


def parse_range(text_from: str, text_to: str, now: datetime, zone: ZoneInfo, *,
                max_length: timedelta | None = None, command: str | None = None) -> tuple[datetime, datetime]:
    """``[start, end)`` in aware UTC: a start in the past is now; an end in the past, an end not after
    the start, or a range longer than ``max_length`` is refused saying so."""
    now = now.astimezone(timezone.utc)
    start = parse_moment(text_from, now, zone, command=command)
    end = parse_moment(text_to, now, zone, end=True, command=command)
    if end <= now:
        raise UserError(f"That ends {show(end, zone)}, which is already past; give an end that is ahead.",
                        command=command)
    start = max(start, now)
    if end <= start:
        raise UserError(f"The end, {show(end, zone)}, is not after the start, {show(start, zone)}; "
                        "give the start first, then the end.", command=command)
    if max_length is not None and end - start > max_length:
        raise UserError(f"That lasts {format_duration(end - start)}, longer than the {format_duration(max_length)} "
                        f"allowed; end it by {show(start + max_length, zone)}, and add another after it.",
                        command=command)
    return start, end


def show(moment: datetime, zone: ZoneInfo) -> str:
    """``Fri 27 Nov 18:00 CET``: a moment as people in ``zone`` read it."""
    return f"{moment.astimezone(zone):%a %d %b %H:%M %Z}"
