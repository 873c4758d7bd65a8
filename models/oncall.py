"""On-call state kept in the database: overrides, and which handoffs have been announced.

The rotations themselves live in the configuration file and are computed (``bot.rotation``);
only what people change at run time, and what the bot has already told them, is stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import UTCDateTime


class Override(Base):
    """``user_id`` is on call for ``schedule`` over ``[starts_at, ends_at)``; the latest created wins."""

    __tablename__ = "oncall_overrides"
    __table_args__ = (Index("ix_oncall_overrides_schedule_ends_at", "schedule", "ends_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HandoffNotice(Base):
    """A handoff that has been announced. The unique key makes the announcement happen once:
    a worker inserts the row if absent and notifies only when its insert went in."""

    __tablename__ = "oncall_handoff_notices"
    __table_args__ = (UniqueConstraint("schedule", "shift_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule: Mapped[str] = mapped_column(String(80))
    shift_start: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[str] = mapped_column(String(32))
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime)
