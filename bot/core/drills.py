"""A drill is a rehearsal of the whole path, from the declaration to the phone that rings: every
surface that shows it (its channel, summary, announcement, every page by every way) says so in the
same words, so nobody mistakes it for the real thing or acts on it beyond acknowledging."""

from __future__ import annotations

CHANNEL_PREFIX = "drill"
"""A drill's channel is ``drill-<n>-…`` instead of the configured prefix."""

NO_ACTION = "DRILL — no action needed beyond acknowledging"


def marked(drill: bool, text: str, mark: str = NO_ACTION, between: str = ". ") -> str:
    """``text`` led by the drill's words when it is one; as it is otherwise."""
    return f"{mark}{between}{text}" if drill else text
