"""After the incident: its report (the fields the commander fills, the review) and its action items.

The report itself is never stored: it is drafted from the incident's rows each time it is read
(``bot.reports.report``). What is stored is what no other row knows: the narrative the commander
writes, whether people are named, the review, and what Slack has of it (the channel canvas, or
the Markdown file posted where canvases are unavailable). Those last columns record what Slack
has, like an incident's ``summary_ts``, and are written outside the change hook.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import UTCDateTime


class Priority(StrEnum):
    P1 = "p1"
    P2 = "p2"
    P3 = "p3"


class ActionType(StrEnum):
    """The usual kinds of follow-up: find it sooner, stop it happening, fix it, make it hurt less."""

    DETECTIVE = "detective"
    PREVENTIVE = "preventive"
    CORRECTIVE = "corrective"
    MITIGATIVE = "mitigative"


FIELDS = ("impact", "root_cause", "resolution", "went_well", "went_badly", "lucky")
"""The report's narrative fields, in the report's order; the commander fills them in a modal."""


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), unique=True)
    impact: Mapped[str | None] = mapped_column(Text)
    root_cause: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)
    went_well: Mapped[str | None] = mapped_column(Text)
    went_badly: Mapped[str | None] = mapped_column(Text)
    lucky: Mapped[str | None] = mapped_column(Text)
    blameless: Mapped[bool | None] = mapped_column(Boolean)  # None: reports.blameless in the configuration decides
    edited_by: Mapped[str | None] = mapped_column(String(32))
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last asked for in Slack (drafted, refreshed)
    review_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: no review is required
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(32))

    canvas_id: Mapped[str | None] = mapped_column(String(32))
    canvas_digest: Mapped[str | None] = mapped_column(String(64))  # of the Markdown the canvas holds
    canvas_unavailable: Mapped[str | None] = mapped_column(Text)  # why the report goes as a file instead
    file_id: Mapped[str | None] = mapped_column(String(32))  # the last Markdown file posted
    file_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the request that file answered


class ActionItem(Base):
    __tablename__ = "action_items"
    __table_args__ = (UniqueConstraint("incident_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 within its incident: `/incident action done 2`
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(32), index=True)
    priority: Mapped[str] = mapped_column(String(2))
    type: Mapped[str | None] = mapped_column(String(20))
    due_on: Mapped[date | None] = mapped_column(Date)  # a day in the configured time zone
    tracker_url: Mapped[str | None] = mapped_column(Text)  # the ticket that tracks it, wherever that lives
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(32))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_open(self) -> bool:
        return self.done_at is None
