"""What a live message last showed in Slack, kept as a digest on the incident row.

The sync renders the summary and the announcement on every pass, but calls ``chat.update`` only
when the render differs from what Slack shows (a note, a delivered DM or a timeline post changes
neither, and costs no Tier 3 call). The digest has two parts: the fields people act on
(severity, status, roles, acknowledgement, the latest update...) and the whole render. A
difference in the first is a change people act on; one only in the second (alert counts, paging
lines) can wait behind them when Slack's budget is short.
"""

from __future__ import annotations

import hashlib
import json

from bot.slack.blocks import Message
from bot.slack.budget import Priority
from models import Incident, Role


def essentials(incident: Incident) -> tuple:
    """What people act on in a live message: a change here goes before counts and timeline posts."""
    return (incident.title, incident.severity, incident.status, incident.holder(Role.COMMANDER),
            incident.holder(Role.COMMS_LEAD), incident.acknowledged_by, str(incident.acknowledged_at),
            str(incident.latest_update_at), incident.resolution_summary, incident.channel_id)


def shown(incident: Incident, message: Message) -> str:
    """The digest of ``message`` as a live message of ``incident``: essentials, then the whole render."""
    return f"{_digest(essentials(incident))}:{_digest([message.text, message.blocks])}"


def update_priority(before: str | None, after: str) -> Priority | None:
    """How urgent updating a live message from ``before`` to ``after`` is; None when Slack shows it already."""
    if before is None:
        return Priority.CHANGE
    (was, showed), (now, shows) = before.split(":", 1), after.split(":", 1)
    if showed == shows:
        return None
    return Priority.CHANGE if was != now else Priority.LATER


def _digest(value) -> str:
    return hashlib.blake2b(json.dumps(value, sort_keys=True, default=str).encode(), digest_size=16).hexdigest()
