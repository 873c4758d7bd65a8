"""Business hours in the configured zone: low-urgency pages wait for them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.config import BusinessHoursConfig


def is_open(hours: BusinessHoursConfig, tz: ZoneInfo, at: datetime) -> bool:
    local = at.astimezone(tz)
    return local.weekday() in hours.days and hours.start <= local.time() < hours.end


def next_opening(hours: BusinessHoursConfig, tz: ZoneInfo, at: datetime) -> datetime:
    """``at`` itself when open; otherwise the next start of business hours, in UTC."""
    if is_open(hours, tz, at):
        return at
    local = at.astimezone(tz)
    for days_ahead in range(8):
        day = local.date() + timedelta(days=days_ahead)
        opening = datetime.combine(day, hours.start, tzinfo=tz)
        if day.weekday() in hours.days and opening > local:
            return opening.astimezone(timezone.utc)
    raise ValueError("business hours name no day of the week")
