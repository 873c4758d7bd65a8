"""What the pager watches, in Slack: ``/incident heartbeats``."""

from __future__ import annotations

from bot.slack.blocks.common import Message, as_blocks, sections, slack_date
from bot.watch.heartbeats import HeartbeatState

STATE = {"ok": ":large_green_circle: checking in", "late": ":red_circle: *late*",
         "waiting": ":white_circle: waiting for its first check-in"}


def heartbeats_message(states: list[HeartbeatState], console_url: str) -> Message:
    """Each heartbeat with its state, last check-in and when it will be late; a link to the console page."""
    if not states:
        text = "No heartbeat is configured: add one under `heartbeats` in incidents.yaml (or `alerts.watchdog`)."
        return Message(text=text, blocks=as_blocks(*sections(text)))
    lines = [":heartbeat: *Heartbeats*"]
    for beat in states:
        expected = f"every {beat.every}" + (f" + {beat.grace} grace" if beat.grace != "0s" else "")
        line = f"• `{beat.name}` {STATE[beat.state]} ({expected})"
        if beat.last_checkin_at is not None:
            line += f", last check-in {slack_date(beat.last_checkin_at)}"
        if beat.state == "late" and beat.late_since is not None:
            line += f", late since {slack_date(beat.late_since)}"
        elif beat.due_at is not None:
            line += f", late at {slack_date(beat.due_at)} without one"
        lines.append(line)
    lines.append(f"<{console_url}|All heartbeats in the console>")
    text = "\n".join(lines)
    return Message(text=text, blocks=as_blocks(*sections(text)))
