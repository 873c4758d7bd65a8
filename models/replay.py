"""Slack interactions already taken, by ``trigger_id``, with the answer the first one got.

A signed request stays valid for five minutes, so a captured one can be sent again; each trigger id
is unique to one invocation. A row is written with the work and answered in the same transaction, so a replay
(from any process) gets the first answer instead of doing the work again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import UTCDateTime


class SlackTrigger(Base):
    __tablename__ = "slack_triggers"

    trigger_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # None while the first is being handled
