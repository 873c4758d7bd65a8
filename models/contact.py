"""How a page reaches a person besides Slack: their contact methods, each step's delivery, used links.

A ``ContactMethod`` is one address a person registered (``/incident me phone …``); ``NotificationRules``
their own steps (``/incident me rules …``). A ``PageDelivery`` is one step of their rules for one
page (push at 1 m, SMS at 3 m…): written with its timer when they are paged, sent once by a worker,
retried while the provider fails, never sent once the page is acknowledged. An ``UsedAckLink``
makes an acknowledge link single-use.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.paging import Page
from models.types import UTCDateTime


class DeliveryState(StrEnum):
    PENDING = "pending"  # due at due_at (or being retried)
    SENDING = "sending"  # taken for sending (after which an acknowledgement no longer cancels it)
    SENT = "sent"  # the provider accepted it: never sent again
    CANCELLED = "cancelled"  # acknowledged or over before it was due
    FAILED = "failed"  # the provider refused it for good (a bad number); said in the timeline


class ContactMethod(Base):
    __tablename__ = "contact_methods"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # phone | email | push
    address: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationRules(Base):
    """A person's own notification rules (``/incident me rules``), before the file's."""

    __tablename__ = "notification_rules"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"after": seconds, "via": "sms"}, ...]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PageDelivery(Base):
    __tablename__ = "page_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(10))  # push | sms | call | email
    address: Mapped[str] = mapped_column(String(320), index=True)
    state: Mapped[str] = mapped_column(String(10), default=DeliveryState.PENDING)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # tries the provider did not accept
    provider_ref: Mapped[str | None] = mapped_column(String(100))  # the provider's id for what it accepted
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    page: Mapped[Page] = relationship()


class UsedAckLink(Base):
    __tablename__ = "used_ack_links"

    delivery_id: Mapped[int] = mapped_column(ForeignKey("page_deliveries.id", ondelete="CASCADE"), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime)
