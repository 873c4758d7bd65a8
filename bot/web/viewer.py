"""Who is reading an internal page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Viewer:
    """A Slack user (``user_id``) who signed in with Slack, or the operator holding CONSOLE_TOKEN."""

    name: str
    user_id: str | None = None
