"""Timeline events as posted in the incident channel, and the whole timeline on request."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, HeaderBlock

from bot.comms.roles import comms_lead_wanted
from bot.slack.blocks.common import (
    NOTIFICATION_TEXT,
    Message,
    Rendering,
    as_blocks,
    clip,
    person,
    post_update_button,
    resolve_button,
    said,
    sections,
    slack_date,
    take_comms_button,
)
from bot.slack.blocks.report import report_buttons
from bot.slack.blocks.summary import COMMS_WANTED
from bot.slack.ids import Action
from models import Incident, Role, TimelineEvent

_EVENT_EMOJI = {
    "acknowledged": ":eyes:",
    "role_assigned": ":bust_in_silhouette:",
    "status_changed": ":arrows_counterclockwise:",
    "reopened": ":rotating_light:",
    "resolved": ":white_check_mark:",
    "severity_changed": ":chart_with_upwards_trend:",
    "note": ":memo:",
    "paged": ":pager:",
    "renotified": ":pager:",
    "escalated": ":arrow_double_up:",
    "page_failed": ":warning:",
    "paging_skipped": ":warning:",
    "paging_waits": ":hourglass_flowing_sand:",
    "alert_fired": ":rotating_light:",
    "alert_resolved": ":large_green_circle:",
    "update": ":loudspeaker:",
    "nag": ":alarm_clock:",
    "comms_wanted": ":mega:",
    "public": ":globe_with_meridians:",
    "public_update": ":globe_with_meridians:",
}


def _nag_buttons(incident: Incident, rendering: Rendering, public_due: bool) -> list[ButtonElement]:
    buttons = [post_update_button(incident),
               *([ButtonElement(text="Public update", action_id=Action.PUBLIC_UPDATE, value=str(incident.id))]
                 if public_due else []),
               ButtonElement(text="Snooze 15m", action_id=f"{Action.SNOOZE}_15", value=f"{incident.id}:15"),
               ButtonElement(text="Snooze 30m", action_id=f"{Action.SNOOZE}_30", value=f"{incident.id}:30")]
    if comms_lead_wanted(incident, rendering.config):
        buttons.append(take_comms_button(incident))
    return buttons


def update_text(incident: Incident, event: TimelineEvent) -> str:
    """An update says whether the incident is mitigated or resolved, and when the next one comes."""
    state = event.data.get("status", incident.status)
    text = f"*{incident.number} update* ({state}) from {person(event.actor)}: {said(event.text)}"
    if event.data.get("next_at"):
        text += f"\nNext update by {slack_date(datetime.fromisoformat(event.data['next_at']))}."
    return text


def event_text(event: TimelineEvent, incident: Incident) -> str:
    """What an event says, safe to post: the bot's own mentions stay, what people typed is shown as typed."""
    if event.kind == "update":
        return update_text(incident, event)
    if event.kind == "note":
        return f"{person(event.actor)} noted: {said(event.text)}"
    if event.kind == "public_update":
        by = f" from {person(event.actor)}" if event.actor else ""
        return f"*Status page* ({event.data.get('status', '')}){by}: {said(event.text)}"
    text = said(event.text)
    if event.kind == "pinned" and event.data.get("permalink"):
        text += f" (<{event.data['permalink']}|message>)"
    return text


def event_message(event: TimelineEvent, incident: Incident, rendering: Rendering, thread: bool = False) -> Message:
    """A timeline event as it is posted in the incident channel (a long one over several sections), or in
    the announcement's ``thread``, which stakeholders read (without the report's buttons)."""
    emoji = _EVENT_EMOJI.get(event.kind, ":small_blue_diamond:")
    if event.kind == "severity_changed" and event.data.get("downgrade"):
        emoji = ":chart_with_downwards_trend:"
    text = event_text(event, incident)
    actions = None
    if event.kind == "nag" and incident.is_open:
        if comms_lead_wanted(incident, rendering.config):
            text += f"\n:warning: {COMMS_WANTED}"
        actions = ActionsBlock(elements=_nag_buttons(incident, rendering, bool(event.data.get("public_due"))))
    elif event.kind == "comms_wanted" and comms_lead_wanted(incident, rendering.config):
        actions = ActionsBlock(elements=[take_comms_button(incident, style="primary")])
    elif event.kind == "resolved" and not incident.transient and not thread:
        actions = ActionsBlock(elements=report_buttons(incident))
    elif event.kind == "alert_resolved" and incident.is_open:
        text = f"{text}, {person(incident.holder(Role.COMMANDER))}."
        actions = ActionsBlock(elements=[resolve_button(incident)])
    return Message(text=clip(text, NOTIFICATION_TEXT),
                   blocks=as_blocks(*sections(f"{emoji} {text}", rendering.more(incident)), actions))


def timeline_message(incident: Incident, events: Sequence[TimelineEvent], rendering: Rendering) -> Message:
    """The timeline in order, times in the configured zone (the report's zone, not each reader's)."""
    config = rendering.config
    lines = [f"`{e.at.astimezone(config.tz):%a %d %b %H:%M:%S}`  {_timeline_line(e, incident)}" for e in events]
    body = "\n".join(lines) or "_nothing yet_"
    return Message(text=f"Timeline of {incident.number}", blocks=as_blocks(
        HeaderBlock(text=f"Timeline of {incident.number} ({config.timezone})"),
        *sections(body, rendering.more(incident)),
    ))


def _timeline_line(event: TimelineEvent, incident: Incident) -> str:
    if event.kind == "update":
        return f"Update from {person(event.actor)} ({event.data.get('status', '')}): {said(event.text)}"
    return event_text(event, incident)
