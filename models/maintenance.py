"""Maintenance windows: a service's planned work, during which its alerts are held, not paged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.incident import TITLE_LENGTH
from models.types import UTCDateTime


class MaintenanceWindow(Base):
    __tablename__ = "maintenance_windows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(100), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)  # moved earlier when it is ended early
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(32))  # set when ended early by a person
    silence_id: Mapped[str | None] = mapped_column(String(100))  # Alertmanager's, once created
    silence_error: Mapped[str | None] = mapped_column(Text)  # why the silence is not (yet) made or expired


class MaintenanceHold(Base):
    """An alert that fired during a window: recorded on it, opening no incident and paging nobody."""

    __tablename__ = "maintenance_holds"
    __table_args__ = (UniqueConstraint("window_id", "source", "dedup_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("maintenance_windows.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(32))
    dedup_key: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))  # the title of the incident it opens
    firing: Mapped[bool] = mapped_column(Boolean, default=True)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    times: Mapped[int] = mapped_column(Integer, default=1)  # deliveries held
