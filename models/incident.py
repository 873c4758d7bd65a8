"""The incident aggregate: the incident, who held which role when, and its timeline.

The database is the one source of truth; Slack messages are renderings of these rows.
``revision``/``synced_revision`` say whether Slack is behind the database, so a sync that
failed (Slack down, rate limited) is retried from the rows, never from memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, false, inspect
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from models.base import Base
from models.types import UTCDateTime

if TYPE_CHECKING:
    from models.communication import Delivery, Subscription
    from models.paging import Page
    from models.report import Report


TITLE_LENGTH = 200
"""The longest title an incident keeps: the column's width, which the forms and the alerts respect."""

_REFERENCE = re.compile(r"(?:INC-)?([0-9]{1,9})", re.IGNORECASE)


def incident_number(incident_id: int) -> str:
    """How people, Slack and PagerDuty name incident 12: ``INC-12``."""
    return f"INC-{incident_id}"


def incident_id(reference: str, *, bare: bool = True) -> int | None:
    """12 for ``INC-12`` (any case) or, with ``bare``, ``12``; None for anything else."""
    match = _REFERENCE.fullmatch(reference.strip())
    if match is None or (not bare and match[0].isdigit()):
        return None
    return int(match[1])


class Status(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"


class Role(StrEnum):
    COMMANDER = "commander"
    COMMS_LEAD = "comms_lead"

    @property
    def title(self) -> str:
        return {"commander": "Incident Commander", "comms_lead": "Communication Lead"}[self.value]


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    description: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20), default=Status.INVESTIGATING)
    service: Mapped[str | None] = mapped_column(String(100))
    declared_by: Mapped[str] = mapped_column(String(32))
    reply_to: Mapped[str | None] = mapped_column(String(500))  # where the declarer is answered (a response URL)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mitigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_summary: Mapped[str | None] = mapped_column(Text)
    latest_update: Mapped[str | None] = mapped_column(Text)  # the last stakeholder update, as posted
    latest_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    update_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the next one is due
    transient: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # an alert that resolved itself
    drill: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # a rehearsal: no figures, no status page
    quiet_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # an alert's grace period: no Slack side before
    alerts_firing: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # of the alerts that joined it
    alerts_resolved: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    channel_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    channel_name: Mapped[str | None] = mapped_column(String(80))
    channel_topic: Mapped[str | None] = mapped_column(String(250))
    invited_users: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary_ts: Mapped[str | None] = mapped_column(String(32))
    summary_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    announcement_channel_id: Mapped[str | None] = mapped_column(String(32))
    announcement_ts: Mapped[str | None] = mapped_column(String(32))
    summary_shown: Mapped[str | None] = mapped_column(String(80))  # digests of what the summary shows (bot.slack.shown)
    announcement_shown: Mapped[str | None] = mapped_column(String(80))  # and the announcement
    summary_reply_url: Mapped[str | None] = mapped_column(String(500))  # a button's response URL on the summary
    summary_reply_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # usable until (Slack: 30 minutes)

    revision: Mapped[int] = mapped_column(Integer, default=1)
    synced_revision: Mapped[int] = mapped_column(Integer, default=0)
    sync_owner: Mapped[str | None] = mapped_column(String(100))  # the process syncing it now (bot.jobs.leases)
    sync_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sync_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sync_failures: Mapped[int] = mapped_column(Integer, default=0)
    sync_error: Mapped[str | None] = mapped_column(Text)

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="incident", order_by="RoleAssignment.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[TimelineEvent]] = relationship(
        back_populates="incident", order_by="(TimelineEvent.at, TimelineEvent.id)", cascade="all, delete-orphan"
    )
    pages: Mapped[list[Page]] = relationship(back_populates="incident", order_by="Page.id", cascade="all, delete-orphan")
    subscriptions: Mapped[list[Subscription]] = relationship(order_by="Subscription.id", cascade="all, delete-orphan")
    deliveries: Mapped[list[Delivery]] = relationship(order_by="Delivery.id", cascade="all, delete-orphan")
    report: Mapped[Report | None] = relationship(viewonly=True)  # read with the incident by a sync pass

    @property
    def number(self) -> str:
        return incident_number(self.id)

    @property
    def title_line(self) -> str:
        """The title on one line, for a subject, an SMS or a voice."""
        return " ".join(self.title.split())

    def line(self, shown: Callable[[str], str] = str) -> str:
        """The incident in one line, ``INC-4 (sev1): Checkout is down``, the same in a page, an SMS, an
        e-mail, PagerDuty, Slack and the timeline; ``shown`` makes the title safe where it goes (mrkdwn
        escaping for Slack)."""
        return f"{self.number} ({self.severity}): {shown(self.title_line)}"

    @property
    def is_open(self) -> bool:
        return self.status != Status.RESOLVED

    def log(self, at: datetime, actor: str | None, kind: str, text: str, data: dict[str, Any] | None = None,
            announce: bool = True) -> None:
        """Write to the timeline; ``announce`` events are also posted in the incident channel.

        A timeline not loaded stays unloaded: the event is added beside it (a storm's thousandth
        alert must not read the 999 events before it)."""
        event = TimelineEvent(at=at, actor=actor, kind=kind, text=text, data=data or {}, announce=announce)
        if self.id is not None and "events" in inspect(self).unloaded:
            event.incident_id = self.id
            object_session(self).add(event)
        else:
            self.events.append(event)

    def holder(self, role: Role) -> str | None:
        """Who holds ``role`` now (the assignment without an end)."""
        for assignment in self.roles:
            if assignment.role == role and assignment.ended_at is None:
                return assignment.user_id
        return None


class RoleAssignment(Base):
    __tablename__ = "role_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(32))
    assigned_by: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    incident: Mapped[Incident] = relationship(back_populates="roles")


class TimelineEvent(Base):
    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    announce: Mapped[bool] = mapped_column(Boolean, default=False)
    channel_ts: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))  # the copy in the announcement's thread

    incident: Mapped[Incident] = relationship(back_populates="events")
