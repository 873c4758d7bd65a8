"""Pages: who was called for an incident, level by level, and who answered.

A ``Page`` is one run of an escalation policy (or a page of one person); each DM it sends is a
``PageNotification``. The timers that drive it (next level, renotify) are rows in ``timers``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.types import UTCDateTime

if TYPE_CHECKING:
    from models.incident import Incident


class PageState(StrEnum):
    WAITING = "waiting"  # low urgency outside business hours: due at the next business morning
    PAGING = "paging"
    ACKNOWLEDGED = "acknowledged"
    ENDED = "ended"  # the chain ran out, or the incident was resolved first


class Page(Base):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    policy: Mapped[str | None] = mapped_column(String(100))
    user_id: Mapped[str | None] = mapped_column(String(32))  # a page of one person, outside any policy
    reason: Mapped[str] = mapped_column(Text)
    cause: Mapped[str | None] = mapped_column(String(20))  # declared | alert | command | raised | drill (the retro's "why")
    requested_by: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer, default=0)
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    notifications: Mapped[list[PageNotification]] = relationship(
        back_populates="page", order_by="PageNotification.id", cascade="all, delete-orphan")
    incident: Mapped[Incident] = relationship(back_populates="pages")

    @property
    def active(self) -> bool:
        return self.state in (PageState.WAITING, PageState.PAGING)


class PageNotification(Base):
    __tablename__ = "page_notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    timer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    level: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(120))
    role: Mapped[str | None] = mapped_column(String(20))
    renotify: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    out_of_hours: Mapped[bool | None] = mapped_column()  # outside business hours when it was sent (the burnout signal)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # attempts Slack refused, retried
    error: Mapped[str | None] = mapped_column(Text)  # why it was given up: trying again cannot help

    page: Mapped[Page] = relationship(back_populates="notifications")
