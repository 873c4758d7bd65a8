"""Who hears about an incident beyond its channel: subscribers, and each DM owed to someone.

A ``Delivery`` row is written in the same transaction as the change that owes it (an update,
a role handed over, a resolution) and sent by the Slack sync, which retries what failed; so an
update is never lost, and never sent twice to the same person.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.types import UTCDateTime

if TYPE_CHECKING:
    from models.incident import TimelineEvent
    from models.report import ActionItem


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("incident_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Delivery(Base):
    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("timeline_events.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))  # update | resolution | role | report_reminder | action_* | slack_recovered
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    skipped: Mapped[str | None] = mapped_column(Text)  # why it was not sent (the person left Slack...)

    action_item_id: Mapped[int | None] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))

    event: Mapped[TimelineEvent | None] = relationship()
    action_item: Mapped[ActionItem | None] = relationship()  # the item an action_* DM is about
