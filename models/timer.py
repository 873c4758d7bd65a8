"""Durable timers: every future action (renotify, escalate, delayed page) is a row with its due time.

A timer is *pending* until it is done or cancelled. A worker claims a due row by writing
``claimed_by``/``claimed_until`` (a lease); when the lease runs out without the row being done,
for instance because the worker died, any worker may claim it again. Nothing lives in memory,
so a restart loses nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, and_
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import UTCDateTime


class Timer(Base):
    __tablename__ = "timers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    key: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


PENDING = and_(Timer.done_at.is_(None), Timer.cancelled_at.is_(None))
"""Neither done nor cancelled. The partial indexes below cover exactly these rows."""

# Only pending rows are indexed, so finding what is due stays cheap however much history piles
# up, and a key is unique among pending timers: a finished or cancelled key can be scheduled again.
Index("ix_timers_pending_due", Timer.due_at, Timer.id, postgresql_where=PENDING, sqlite_where=PENDING)
Index("uq_timers_pending_key", Timer.key, unique=True, postgresql_where=PENDING, sqlite_where=PENDING)
