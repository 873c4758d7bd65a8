"""The DMs that ``Delivery`` rows owe people: updates, resolutions, checklists, reminders."""

from __future__ import annotations

from bot.slack.blocks.common import NOTIFICATION_TEXT, Message, Rendering, as_blocks, clip, said, sections
from bot.slack.blocks.report import DELIVERIES, report_delivery
from bot.slack.blocks.timeline import update_text
from models import Incident, Role


def delivery_message(delivery, incident: Incident, rendering: Rendering) -> Message:
    """The DM a ``Delivery`` owes someone, by its kind."""
    where = f" in <#{incident.channel_id}>" if incident.channel_id else ""
    if delivery.kind in DELIVERIES:
        return report_delivery(delivery, incident, rendering)
    if delivery.kind == "update" and delivery.event is not None:
        return _long(update_text(incident, delivery.event), incident, rendering)
    if delivery.kind == "resolution":
        summary = f": {said(incident.resolution_summary)}" if incident.resolution_summary else ""
        how = "transient" if incident.transient else ("mitigated, then fixed" if incident.mitigated_at else "fixed")
        return _long(f":white_check_mark: {incident.number} is resolved ({how}){summary}. {said(incident.title)}",
                     incident, rendering)
    if delivery.kind == "slack_recovered":
        return Message(text=f"Slack is answering again: {incident.number} is ready{where}.")
    if delivery.kind == "summary_request":
        return Message(text=f"{incident.number} is resolved. Please write two lines on what happened and what fixed it "
                            f"with `/incident note <summary>`{where}: stakeholders and the report will use it.")
    role = Role(delivery.kind.split(":", 1)[1])
    steps = "\n".join(f"• {step}" for step in rendering.config.checklist(role.value))
    return Message(text=f"You are now the *{role.title}* of {incident.number}: {said(incident.title)}{where}.\n{steps}")


def _long(text: str, incident: Incident, rendering: Rendering) -> Message:
    """A DM whose text may be long: whole in sections, short in the notification."""
    return Message(text=clip(text, NOTIFICATION_TEXT), blocks=as_blocks(*sections(text, rendering.more(incident))))
