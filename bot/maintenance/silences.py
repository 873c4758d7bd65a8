"""What a maintenance window asks of the monitoring: a silence at the source (``bot.channels.alertmanager``)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class SilenceFailed(Exception):
    """The silence could not be made or expired now; said to the person, and retried."""


class Silences(Protocol):
    def create(self, service: str, starts_at: datetime, ends_at: datetime, created_by: str, comment: str) -> str: ...

    def expire(self, silence_id: str) -> None: ...
