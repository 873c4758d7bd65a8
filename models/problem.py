"""Problems with how the app is set up in Slack that no retry can fix by itself (the Messages tab
turned off), kept where every process can see them: the worker meets them, ``/healthz`` says them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import UTCDateTime


class AppProblem(Base):
    __tablename__ = "app_problems"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)  # Slack's error code, e.g. messages_tab_disabled
    detail: Mapped[str] = mapped_column(Text)  # what is wrong and how to fix it
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the latest time it got in the way
