"""The DM that pages a person."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock

from bot.core.drills import marked
from bot.slack.blocks.common import (
    SECTION_TEXT,
    Message,
    Rendering,
    as_blocks,
    clip,
    said,
    severity_label,
    state_line,
)
from bot.slack.ids import Action
from models import Incident, PageNotification, Role


def page_message(incident: Incident, notification: PageNotification, rendering: Rendering,
                 late: bool = False) -> Message:
    """The DM that pages a person: what broke, where to go, and the button that stops the paging. A
    ``late`` one (Slack could not take it before its level escalated) says so: they are still paged."""
    where = f"<#{incident.channel_id}>" if incident.channel_id else "its channel is being created"
    again = " (again: nobody has acknowledged yet)" if notification.renotify else ""
    text = ":rotating_light: " + marked(incident.drill, f"You are paged{again} for {incident.line(said)}")
    due = notification.created_at.astimezone(rendering.config.tz)
    lines = [
        text,
        *([f":hourglass: Late: this page was due at {due:%H:%M} and Slack could not take it until now; the next "
           "level is paged too, and you are still paged until someone acknowledges."] if late else []),
        f"{severity_label(incident, rendering.config)} · {state_line(incident)} · {where}",
        f"Why you: {notification.target}, level {notification.level + 1}"
        + (f"; acknowledging makes you {Role(notification.role).title} if nobody is" if notification.role else ""),
    ]
    return Message(text=text, blocks=as_blocks(
        SectionBlock(text=clip("\n".join(lines), SECTION_TEXT)),
        ActionsBlock(elements=[ButtonElement(text="Acknowledge", action_id=Action.ACKNOWLEDGE, value=str(incident.id),
                                             style="primary")]),
    ))
