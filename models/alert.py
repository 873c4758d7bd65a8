"""Alerts from monitoring, deduplicated by their fingerprint or ``dedup_key``, and the groups that
make a storm of them one incident."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.incident import TITLE_LENGTH
from models.types import UTCDateTime


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("source", "dedup_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    dedup_key: Mapped[str] = mapped_column(String(255))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))  # the title of the incident it opens
    firing: Mapped[bool] = mapped_column(Boolean, default=True)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when monitoring says it began (startsAt)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AlertGroup(Base):
    """Which incident a group of alerts joins: an Alertmanager notification's group (``group:<groupKey>``),
    a generic alert's ``group``, or a service (``service:<name>``, joined only while the incident is
    younger than ``alerts.group_window``). Its row is also the lock that keeps two deliveries of one
    group from opening two incidents at once."""

    __tablename__ = "alert_groups"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
