"""Column types that keep every timestamp timezone-aware UTC on every database.

SQLite has no timezone type: a plain ``DateTime(timezone=True)`` comes back naive there.
``UTCDateTime`` refuses naive datetimes on the way in and attaches UTC on the way out, so
the rest of the code never sees a naive time (incidentbot's bug #453 is this one).
"""

from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware UTC datetime")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
