"""On-call shifts as iCalendar (RFC 5545), written with the ``icalendar`` library.

One VEVENT per shift, in UTC. A shift's UID is its schedule and start, so a calendar app that fetches
the feed again updates the event in place when someone else takes that shift (an override, time off).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from bot.paging.calendars import CalendarShift


def ics(title: str, shifts: list[CalendarShift], now: datetime, public_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//incident-bot//on call//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", title)
    host = urlsplit(public_url).hostname or "incident-bot"
    for item in shifts:
        shift = item.shift
        event = Event()
        event.add("uid", f"{item.schedule}-{shift.start:%Y%m%dT%H%M%SZ}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", shift.start)
        event.add("dtend", shift.end)
        how = "override" if shift.override else (f"layer {shift.layer}" if shift.layer else "")
        covering = f", covering {shift.covering}" if shift.covering else ""
        event.add("summary", f"On call: {item.schedule} ({shift.user})")
        event.add("description", f"{shift.user} is on call for {item.schedule}: {how}{covering}")
        event.add("x-oncall-user", shift.user)
        calendar.add_component(event)
    return calendar.to_ical()
