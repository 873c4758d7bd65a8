"""What every surface shares: the message type, Slack's size limits, safe user text, dates every
reader sees in their own zone, the state line and the buttons.

Every text that people typed (titles, notes, updates, reasons, alert texts) passes through
``said`` before it enters mrkdwn, and every block is cut to Slack's limits here, so a long
or hostile text can neither break a message (slack_sdk refuses an oversized block) nor ping
the whole company.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.models.blocks import Block, ButtonElement, ConfirmObject, SectionBlock

from bot.config import IncidentConfig
from bot.core import markup
from bot.core.drills import NO_ACTION, marked
from bot.core.people import mention
from bot.slack.ids import Action
from models import Incident, Status

SECTION_TEXT = 3000
"""Slack's limit on a section's text (and on any mrkdwn text object)."""
FIELD_TEXT = 2000
HEADER_TEXT = 150
TOPIC = 250
NOTIFICATION_TEXT = 3000
"""A message's ``text`` may be 40,000 characters, but it is what notifications show: keep it short."""
MAX_SECTIONS = 10
"""A long note or update is split over at most this many sections (30,000 characters), then cut."""
EXCERPT = 700
"""How much of a long update or description the live summary and announcement quote."""

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


@dataclass(frozen=True)
class Rendering:
    """What rendering needs beyond the rows: the configuration, and where the web pages are."""

    config: IncidentConfig
    public_url: str

    def incident_url(self, incident: Incident) -> str:
        return f"{self.public_url}/incidents/{incident.id}"

    def report_url(self, incident_id: int) -> str:
        return f"{self.public_url}/incidents/{incident_id}/report"

    def more(self, incident: Incident) -> str:
        """The link that follows a text cut short."""
        return f"… <{self.incident_url(incident)}|the rest on {incident.number}'s page>"


def as_blocks(*blocks: Block | None) -> list[dict]:
    return [b.to_dict() for b in blocks if b is not None]


def said(text: str | None) -> str:
    """Text someone typed, safe in mrkdwn (no broadcast, no masked link, markup shown as typed)."""
    return markup.mrkdwn(text)


def plain(text: str | None) -> str:
    """Text someone typed, for plain_text fields and topics."""
    return markup.plain(text)


_OPEN_TOKEN = re.compile(r"<[^>]*$|&[a-z]{0,4}$")


def clip(text: str, limit: int, more: str = "…") -> str:
    """``text`` cut to ``limit`` characters, ``more`` included, never inside a ``<…>`` token or an
    entity and, where possible, at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(more), 0)]
    cut = _OPEN_TOKEN.sub("", cut)
    space = cut.rfind(" ")
    if space > len(cut) * 0.8:
        cut = cut[:space]
    return cut.rstrip() + more


def sections(text: str, more: str = "…") -> list[SectionBlock]:
    """A text of any length as section blocks of Slack's size, split at line ends (or words), cut
    after ``MAX_SECTIONS`` with ``more``."""
    parts = chunks(text, SECTION_TEXT)
    if len(parts) > MAX_SECTIONS:
        parts = parts[: MAX_SECTIONS - 1] + [clip(parts[MAX_SECTIONS - 1], SECTION_TEXT, more)]
    return [SectionBlock(text=part) for part in parts]


def chunks(text: str, size: int) -> list[str]:
    """Split at line ends so each part has at most ``size`` characters; a longer line is split at
    words, and a longer word where it must be, outside tokens."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > size:
            head = clip(line, size, more="")
            parts, current = _flush(parts, current)
            parts.append(head)
            line = line[len(head):].lstrip(" ")
        if current and len(current) + len(line) + 1 > size:
            parts, current = _flush(parts, current)
        current = f"{current}\n{line}" if current else line
    parts, _ = _flush(parts, current)
    return parts or [""]


def _flush(parts: list[str], current: str) -> tuple[list[str], str]:
    return (parts + [current] if current.strip() else parts), ""


def slack_date(moment: datetime, style: str = "{date_short_pretty} {time}") -> str:
    """A date every reader sees in their own time zone."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{style}|{fallback}>"


def person(user_id: str | None) -> str:
    return mention(user_id)


def severity_label(incident: Incident, config: IncidentConfig) -> str:
    return f"{incident.severity.upper()} ({config.severity_label(incident.severity)})"


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


def take_comms_button(incident: Incident, style: str | None = None) -> ButtonElement:
    return ButtonElement(text="Take communication lead", action_id=Action.TAKE_COMMS, value=str(incident.id), style=style)


def header_text(incident: Incident) -> str:
    return clip(marked(incident.drill, f"{incident.number} · {incident.severity.upper()} · {plain(incident.title)}",
                       "DRILL", " · "), HEADER_TEXT)


def drill_line(incident: Incident) -> list[str]:
    """The line that leads every live message of a drill."""
    return [f":construction: *{NO_ACTION}*"] if incident.drill else []
