"""Business hours in the configured zone: low-urgency pages wait for them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.core.calendar import local_time


class BusinessHours(Protocol):
    """What business hours are (``bot.config``'s ``business_hours`` is one): days of the week, 0 for
    Monday, and the local time they open and close."""

    days: Collection[int]
    start: time
    end: time


def is_open(hours: BusinessHours, tz: ZoneInfo, at: datetime) -> bool:
    local = at.astimezone(tz)
    return local.weekday() in hours.days and hours.start <= local.time() < hours.end


def next_opening(hours: BusinessHours, tz: ZoneInfo, at: datetime) -> datetime:
    """``at`` itself when open; otherwise the next start of business hours, in UTC."""
    if is_open(hours, tz, at):
        return at
    local = at.astimezone(tz)
    for days_ahead in range(8):
        day = local.date() + timedelta(days=days_ahead)
        opening = local_time(day, hours.start, tz)
        if day.weekday() in hours.days and opening > at:
            return opening
    raise ValueError("business hours name no day of the week")
