"""CSV of the page log and of the incidents: one header row, ISO times with the zone's offset, streamed.

Rows come from the database a thousand at a time (a server-side cursor on PostgreSQL), so a year
of pages is written in constant memory, by the command line and by ``GET /stats/*.csv`` alike.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.core.calendar import midnight
from bot.core.errors import UserError
from bot.retro import figures
from bot.retro.periods import parse_date
from models.incident import incident_number

KINDS = ("pages", "incidents")
BEGINNING = datetime(1970, 1, 1, tzinfo=timezone.utc)
EXPORT_FORM = "--since 2026-11-01 --until 2026-11-30 (ISO dates, in the configured time zone; both optional)"


def date_range(since: str | None, until: str | None, tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """``since``'s local midnight to the end of ``until``'s day (inclusive), as UTC; open ends: everything."""
    first = parse_date(since, field="since") if since else None
    last = parse_date(until, field="until") if until else None
    if first and last and first > last:
        raise UserError(f"since {first.isoformat()} is after until {last.isoformat()}; give since on or before "
                        f"until, such as {EXPORT_FORM}", field="since")
    return (midnight(first, tz) if first else BEGINNING,
            midnight(last + timedelta(days=1), tz) if last else now + timedelta(seconds=1))


def lines(session: Session, kind: str, since: datetime, until: datetime, tz: ZoneInfo,
          service: str | None = None) -> Iterator[str]:
    """The CSV, line by line (header first)."""
    query = figures.page_log(since, until, service) if kind == "pages" else figures.incident_log(since, until, service)
    result = session.execute(query.execution_options(yield_per=1000))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    columns = list(result.keys())
    yield line(columns)
    for row in result:
        yield line(_cell(name, value, tz) for name, value in zip(columns, row, strict=True))


def _cell(name: str, value, tz: ZoneInfo) -> str:
    if value is None:
        return ""
    if name == "incident":
        return incident_number(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(tz).isoformat(timespec="seconds")
    if name.endswith("_s"):
        return str(round(float(value)))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
