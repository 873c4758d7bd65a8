"""The grammar of ``/incident action <text> [@owner] [p1|p2|p3] [due <date>]``: pure parsing.

The options follow the text, in any order: a mention is the owner, ``p1``…``p3`` the priority,
``due`` and what follows it (up to three words) the due date:

    due 2026-12-01 · due 1/12 (day/month) · due 1/12/2026 · due 1 dec · due dec 1 · due fri
    due today · due tomorrow · due in 3d · due in 2w

A day without a year is its next occurrence; a weekday the next one after today. Whether the date
is in the past is for the service to say (``bot.reports.actions``), which knows the clock.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.core import calendar
from bot.core.errors import UserError, code
from bot.reports.actions import NewAction
from handlers.slack.grammar import user_mention

_PRIORITY = re.compile(r"p\d+", re.IGNORECASE)
_OWNER = re.compile(r"<@|@|<!subteam\^")
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_RELATIVE = re.compile(r"in\s+(\d{1,3})\s*([dw])", re.IGNORECASE)
FORMS = "2026-12-01, 1/12 (day/month), 1 dec, fri, tomorrow or in 2w"


def parse_action(text: str, today: date) -> NewAction:
    """An action item from the command's text; a ``UserError`` naming what was wrong otherwise."""
    words = text.split()
    owner = priority = due = None
    while words:
        last = words[-1]
        if _PRIORITY.fullmatch(last) and priority is None:
            priority = _priority(last)
        elif _OWNER.match(last) and owner is None:
            owner = user_mention(last, "action")
        elif (found := _due_clause(words, today)) is not None and due is None:
            due, words = found
            continue
        else:
            break
        words.pop()
    if not words:
        raise UserError("An action item needs a text: what should be done.", command="action")
    return NewAction(text=" ".join(words), owner=owner, priority=priority or "p2", due_on=due)


def _priority(word: str) -> str:
    if word.lower() not in ("p1", "p2", "p3"):
        raise UserError(f"Unknown priority {code(word)}; use p1, p2 or p3.", command="action")
    return word.lower()


def _due_clause(words: list[str], today: date) -> tuple[date, list[str]] | None:
    """``due <date>`` at the end of ``words``: the date and the words before ``due``; None when the end
    is not a due clause (``due`` followed by words that are no date at all is part of the text)."""
    for size in (1, 2, 3):
        if len(words) > size and words[-size - 1].lower() == "due":
            written = " ".join(words[-size:])
            if not any(_names_a_day(word) for word in written.replace(",", " ").split()):
                return None
            return parse_date(written, today), words[:-size - 1]
    return None


def _names_a_day(word: str) -> bool:
    """Whether a word after ``due`` is meant as (part of) a date: a number, today, a weekday or a month."""
    return (any(c.isdigit() for c in word) or word.lower() in ("today", "tomorrow")
            or calendar.weekday(word) is not None or calendar.month(word) is not None)


def parse_date(text: str, today: date) -> date:
    """A due date as people write it (see the module docstring)."""
    written = text.strip().lower()
    if written in ("today", "tomorrow"):
        return today + timedelta(days=written == "tomorrow")
    if m := _RELATIVE.fullmatch(written):
        return today + timedelta(days=int(m[1]) * (7 if m[2] == "w" else 1))
    if (day := calendar.weekday(written)) is not None:
        return today + timedelta(days=(day - today.weekday() - 1) % 7 + 1)
    if m := _ISO.fullmatch(written):
        return _date(text, int(m[1]), int(m[2]), int(m[3]))
    if m := _SLASHED.fullmatch(written):
        year = int(m[3]) + (2000 if m[3] and len(m[3]) == 2 else 0) if m[3] else None
        return _day_of_year(text, year, int(m[2]), int(m[1]), today)
    parts = written.replace(",", " ").split()
    if len(parts) in (2, 3):
        day, name = (parts[0], parts[1]) if parts[0].isdigit() else (parts[1], parts[0])
        number = calendar.month(name)
        if day.isdigit() and number and (len(parts) == 2 or parts[2].isdigit()):
            return _day_of_year(text, int(parts[2]) if len(parts) == 3 else None, number, int(day), today)
    raise UserError(f"{code(text)} is not a date I can read; use {FORMS}.", command="action")


def _day_of_year(text: str, year: int | None, month: int, day: int, today: date) -> date:
    """A day and month, in ``year`` or, without one, the next time it comes (today included)."""
    if year is not None:
        return _date(text, year, month, day)
    for candidate in range(today.year, today.year + 8):  # 29/02 waits for a leap year
        if 1 <= month <= 12 and 1 <= day <= calendar.days_in_month(candidate, month):
            if (found := date(candidate, month, day)) >= today:
                return found
    return _date(text, today.year, month, day)  # a day no year has (31/02): say why


def _date(text: str, year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise UserError(f"{code(text)} is not a date: there is no month {month} (write the day first: 1/12 is 1 December).",
                        command="action")
    try:
        return date(year, month, day)
    except ValueError:
        days = calendar.days_in_month(year, month)
        raise UserError(f"{code(text)} is not a date: {calendar.MONTHS[month - 1].capitalize()} has {days} days.",
                        command="action") from None
