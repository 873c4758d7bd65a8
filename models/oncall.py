"""On-call state kept in the database: overrides, handoffs and findings announced, members resolved,
time off, cover requests and calendar tokens.

The rotations themselves live in the configuration file and are computed (``bot.paging.layers``);
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


class MemberEntry(Base):
    """A schedule member written as an e-mail or an @handle, and the Slack id it was last resolved to:
    kept so that a start while Slack is unreachable still knows who is who."""

    __tablename__ = "oncall_members"

    entry: Mapped[str] = mapped_column(String(320), primary_key=True)  # lowercased, as written otherwise
    user_id: Mapped[str] = mapped_column(String(32))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TimeOff(Base):
    """``user_id`` is away over ``[starts_at, ends_at)``: their shifts go to the next member who is not.
    Cancelled rows stay, with ``cancelled_at``, so that a cancellation is a change the gap check sees."""

    __tablename__ = "oncall_time_off"
    __table_args__ = (Index("ix_oncall_time_off_ends_at", "ends_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CoverRequest(Base):
    """Someone asking for their shifts of ``schedule`` over ``[starts_at, ends_at)`` to be taken. The first
    to press *Take it* sets ``taken_by`` in one conditional update (``WHERE taken_by IS NULL``)."""

    __tablename__ = "oncall_cover_requests"
    __table_args__ = (Index("ix_oncall_cover_requests_ends_at", "ends_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule: Mapped[str] = mapped_column(String(80))
    requested_by: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(String(80), nullable=True)  # where it was posted
    ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    taken_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    override_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class FindingNotice(Base):
    """A gap or conflict that has been said. Its ``key`` is the finding itself (kind, schedule, person,
    start, end): a worker inserts the row if absent and says it only when its insert went in, so it is said
    once across restarts and workers, and again when it changes (a changed finding is another key)."""

    __tablename__ = "oncall_finding_notices"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    said_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CalendarToken(Base):
    """The secret in a person's own calendar feed URL (``/oncall/people/<U…>.ics?token=…``)."""

    __tablename__ = "oncall_calendar_tokens"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
