"""The people directory: what Slack last said about each person, so pages outside Slack show names.

One row per Slack user the bot has shown or been told about (``users.info``, the ``user_change``
event). A person Slack no longer knows keeps their last known names, with ``gone`` set.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import UTCDateTime


class Person(Base):
    __tablename__ = "people"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(250))  # what pages show: the real name, else the display name, else the handle
    real_name: Mapped[str | None] = mapped_column(String(250))
    display_name: Mapped[str | None] = mapped_column(String(250))
    tz: Mapped[str | None] = mapped_column(String(64))  # an IANA zone, as Slack has it
    avatar_url: Mapped[str | None] = mapped_column(String(1000))
    gone: Mapped[bool] = mapped_column(Boolean, default=False)  # deactivated, or unknown to Slack now
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when Slack last told us (a lookup or an event)
