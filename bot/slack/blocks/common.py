"""What every surface shares: the message type, dates every reader sees in their zone, the state line, the buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ConfirmObject,
)

from bot.config import IncidentConfig
from bot.core.people import mention
from bot.slack.ids import Action
from models import Incident, Status

MAX_TOPIC = 250


STATUS_EMOJI = {
    Status.INVESTIGATING: ":mag:",
    Status.IDENTIFIED: ":bulb:",
    Status.MITIGATED: ":adhesive_bandage:",
    Status.RESOLVED: ":white_check_mark:",
}


@dataclass(frozen=True)
class Message:
    """What ``chat.postMessage``/``chat.update`` need: a notification text and the blocks."""

    text: str
    blocks: list[dict] = field(default_factory=list)


def as_blocks(*blocks: Block | None) -> list[dict]:
    return [b.to_dict() for b in blocks if b is not None]


def slack_date(moment: datetime, style: str = "{date_short_pretty} {time}") -> str:
    """A date every reader sees in their own time zone."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{style}|{fallback}>"


def person(user_id: str | None) -> str:
    return mention(user_id)


def severity_label(incident: Incident, config: IncidentConfig) -> str:
    return f"{incident.severity.upper()} ({config.severity(incident.severity).label})"


def state_line(incident: Incident) -> str:
    status = Status(incident.status)
    line = f"{STATUS_EMOJI[status]} *{status.value.capitalize()}*"
    if status is Status.RESOLVED and incident.transient:
        return f"{line} (transient: the alert resolved itself, nobody was paged) {slack_date(incident.resolved_at)}"
    if status is Status.RESOLVED:
        how = "mitigated, then fixed" if incident.mitigated_at else "fixed"
        return f"{line} ({how}) {slack_date(incident.resolved_at)}"
    if status is Status.MITIGATED:
        return f"{line}: impact contained, not fixed yet"
    return line


def post_update_button(incident: Incident) -> ButtonElement:
    return ButtonElement(text="Post update", action_id=Action.POST_UPDATE, value=str(incident.id), style="primary")


def resolve_button(incident: Incident) -> ButtonElement:
    confirm = ConfirmObject(title=f"Resolve {incident.number}?", text="Everyone in the channel is told.",
                            confirm="Resolve", deny="Cancel")
    return ButtonElement(text="Resolve", action_id=Action.RESOLVE, value=str(incident.id), style="danger", confirm=confirm)


def header_text(incident: Incident) -> str:
    return f"{incident.number} · {incident.severity.upper()} · {incident.title}"[:150]


def chunks(text: str, size: int) -> list[str]:
    """Split at line ends so each part fits in one section block (3,000 characters)."""
    parts, current = [], ""
    for line in text.splitlines():
        if current and len(current) + len(line) + 1 > size:
            parts.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line[:size]
    return parts + [current] if current else parts
