"""What the pager watches, in Slack: ``/incident heartbeats`` and the maintenance windows."""

from __future__ import annotations

from bot.core.people import mention
from bot.maintenance.service import WindowView
from bot.slack.blocks.common import Message, as_blocks, said, sections, slack_date
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


def _window_line(window: WindowView) -> str:
    words = {"scheduled": ":calendar: scheduled", "in_progress": ":construction: *in progress*",
             "completed": ":white_check_mark: completed"}
    line = (f"*#{window.number}* `{window.service}` {words[window.state]}: {slack_date(window.starts_at)} – "
            f"{slack_date(window.ends_at)}, by {mention(window.created_by)}")
    if window.reason:
        line += f" — {said(window.reason)}"
    if window.ended_by:
        line += f" (ended early by {mention(window.ended_by)})"
    if window.silence_error:
        line += f"\n   :warning: the Alertmanager silence is not in place yet ({said(window.silence_error)}); retrying"
    elif window.silence_id:
        line += " · silenced in Alertmanager"
    if window.held:
        line += "\n   held: " + ", ".join(
            f"{said(h.title)}{' (firing)' if h.firing else ''}{f' ×{h.times}' if h.times > 1 else ''}"
            for h in window.held)
    return line


def window_message(window: WindowView, ended: bool = False) -> Message:
    """The answer to ``maintenance`` and ``maintenance end``."""
    head = f"Maintenance #{window.number} ended." if ended else \
        f"Maintenance #{window.number} is set: alerts of `{window.service}` are held on it, and page nobody."
    text = f"{head}\n{_window_line(window)}"
    return Message(text=text, blocks=as_blocks(*sections(text)))


def windows_message(windows: list[WindowView]) -> Message:
    if not windows:
        text = "No maintenance window ahead, in progress or in the last week."
    else:
        text = "\n".join([":construction: *Maintenance windows*", *(_window_line(w) for w in windows)])
    return Message(text=text, blocks=as_blocks(*sections(text)))
