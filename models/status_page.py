"""What the public status page says about an incident, kept apart from what the team says inside.

An incident is on the status page once it has a ``PublicIncident`` row: someone posted a public
update, or declared it with public impact. Its public title, its Statuspage-style state and
each ``PublicUpdate`` are written for customers; the internal title, updates and resolution
summary never reach the page. ``PublicImpact`` rows are the components the Communication Lead
named, with their state; without any, the components holding the incident's service are
affected as its severity says.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.types import UTCDateTime


class PublicIncident(Base):
    __tablename__ = "public_incidents"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str | None] = mapped_column(String(200))  # None until the first public update names it
    status: Mapped[str] = mapped_column(String(20))  # investigating | identified | monitoring | resolved
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the status page last changed for it
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    updates: Mapped[list[PublicUpdate]] = relationship(order_by="(PublicUpdate.at, PublicUpdate.id)",
                                                       cascade="all, delete-orphan")
    impacts: Mapped[list[PublicImpact]] = relationship(order_by="PublicImpact.id", cascade="all, delete-orphan")


class PublicUpdate(Base):
    __tablename__ = "public_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("public_incidents.incident_id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    author: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)


class PublicImpact(Base):
    __tablename__ = "public_impacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("public_incidents.incident_id", ondelete="CASCADE"), index=True)
    component: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(30))  # degraded_performance | partial_outage | major_outage

