"""Timeline events as posted in the incident channel, and the whole timeline on request."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    HeaderBlock,
    SectionBlock,
)

from bot.config import IncidentConfig
from bot.incidents.roles import comms_lead_wanted
from bot.slack.blocks.common import Message, as_blocks, chunks, person, post_update_button, resolve_button, slack_date
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
}


def _nag_buttons(incident: Incident, config: IncidentConfig) -> list[ButtonElement]:
    buttons = [post_update_button(incident),
               ButtonElement(text="Snooze 15m", action_id=f"{Action.SNOOZE}_15", value=f"{incident.id}:15"),
               ButtonElement(text="Snooze 30m", action_id=f"{Action.SNOOZE}_30", value=f"{incident.id}:30")]
    if comms_lead_wanted(incident, config):
        buttons.append(ButtonElement(text="Take communication lead", action_id=Action.TAKE_COMMS, value=str(incident.id)))
    return buttons


def update_text(incident: Incident, event: TimelineEvent) -> str:
    """An update says whether the incident is mitigated or resolved, and when the next one comes."""
    state = event.data.get("status", incident.status)
    text = f"*{incident.number} update* ({state}) from {person(event.actor)}: {event.text}"
    if event.data.get("next_at"):
        text += f"\nNext update by {slack_date(datetime.fromisoformat(event.data['next_at']))}."
    return text


def event_message(event: TimelineEvent, incident: Incident, config: IncidentConfig) -> Message:
    """A timeline event as it is posted in the incident channel."""
    emoji = _EVENT_EMOJI.get(event.kind, ":small_blue_diamond:")
    if event.kind == "severity_changed" and event.data.get("downgrade"):
        emoji = ":chart_with_downwards_trend:"
    text = f"<@{event.actor}> noted: {event.text}" if event.kind == "note" else event.text
    if event.kind == "update":
        text = update_text(incident, event)
    if event.kind == "nag" and incident.is_open:
        wanted = f"\n:warning: {COMMS_WANTED}" if comms_lead_wanted(incident, config) else ""
        return Message(text=text, blocks=as_blocks(
            SectionBlock(text=f"{emoji} {text}{wanted}"),
            ActionsBlock(elements=_nag_buttons(incident, config)),
        ))
    if event.kind == "comms_wanted" and comms_lead_wanted(incident, config):
        return Message(text=text, blocks=as_blocks(
            SectionBlock(text=f"{emoji} {text}"),
            ActionsBlock(elements=[ButtonElement(text="Take communication lead", action_id=Action.TAKE_COMMS,
                                                 value=str(incident.id), style="primary")]),
        ))
    if event.kind == "alert_resolved" and incident.is_open:
        text = f"{text}, {person(incident.holder(Role.COMMANDER))}."
        return Message(text=text, blocks=as_blocks(
            SectionBlock(text=f"{emoji} {text}"),
            ActionsBlock(elements=[resolve_button(incident)]),
        ))
    return Message(text=text, blocks=as_blocks(SectionBlock(text=f"{emoji} {text}")))


def timeline_message(incident: Incident, events: Sequence[TimelineEvent], config: IncidentConfig) -> Message:
    """The timeline in order, times in the configured zone (the report's zone, not each reader's)."""
    lines = [f"`{e.at.astimezone(config.tz):%a %d %b %H:%M:%S}`  {_timeline_text(e)}" for e in events]
    body = "\n".join(lines) or "_nothing yet_"
    return Message(text=f"Timeline of {incident.number}", blocks=as_blocks(
        HeaderBlock(text=f"Timeline of {incident.number} ({config.timezone})"),
        *[SectionBlock(text=chunk) for chunk in chunks(body, 2900)],
    ))


def _timeline_text(event: TimelineEvent) -> str:
    if event.kind == "note":
        return f"{person(event.actor)} noted: {event.text}"
    if event.kind == "update":
        return f"Update from {person(event.actor)} ({event.data.get('status', '')}): {event.text}"
    return event.text
