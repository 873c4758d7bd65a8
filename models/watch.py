"""What the pager watches: jobs that must check in (heartbeats), and its own workers' ticks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import UTCDateTime


class Heartbeat(Base):
    """One row per heartbeat, however often it checks in: the last check-in and a count, never a row
    per check-in. Its deadline is a ``heartbeat.late`` timer, re-armed by each check-in."""

    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_checkin_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checkins: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # its alert heartbeat:<name> is firing
    late_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkerTick(Base):
    """When a worker last finished a tick of its timers, so a ``web`` process can tell that none is."""

    __tablename__ = "worker_ticks"

    worker: Mapped[str] = mapped_column(String(100), primary_key=True)  # host:pid
    ticked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
