"""The incident's two live messages, re-rendered from the rows on every change: the pinned summary in its
channel and the announcement, plus the channel topic."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ContextBlock, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.comms.roles import comms_lead_wanted
from bot.config import IncidentConfig
from bot.core.drills import marked
from bot.slack.blocks.common import (
    EXCERPT,
    FIELD_TEXT,
    SECTION_TEXT,
    TOPIC,
    Message,
    Rendering,
    as_blocks,
    clip,
    drill_line,
    header_text,
    person,
    post_update_button,
    resolve_button,
    said,
    severity_label,
    slack_date,
    state_line,
    take_comms_button,
)
from bot.slack.ids import Action
from models import Incident, Page, PageNotification, PageState, Role, Status

COMMS_WANTED = "This severity needs a Communication Lead who is not the Incident Commander: press *Take communication lead*."


def _ack_line(incident: Incident) -> str:
    if incident.acknowledged_at is None:
        return ":rotating_light: *Unacknowledged*: nobody has acknowledged this incident yet"
    return f":eyes: Acknowledged by {person(incident.acknowledged_by)} {slack_date(incident.acknowledged_at)}"


def _alert_lines(incident: Incident) -> list[str]:
    """How many of the alerts that joined it still fire: one line, however large the storm."""
    if not incident.alerts_firing + incident.alerts_resolved:
        return []
    firing = f"{incident.alerts_firing} alert{'s' if incident.alerts_firing != 1 else ''} firing"
    return [f":rotating_light: {firing}, {incident.alerts_resolved} resolved"]


def _paging_lines(incident: Incident) -> list[str]:
    """Who was paged (how often, at which level) and who answered, one line per page."""
    lines = []
    for page in incident.pages:
        counts: dict[str, list[PageNotification]] = {}
        for notification in page.notifications:
            counts.setdefault(notification.user_id, []).append(notification)
        paged = ", ".join(f"<@{user}> (L{sent[0].level + 1}{f', {len(sent)}×' if len(sent) > 1 else ''})"
                          for user, sent in counts.items())
        lines.append(f":pager: {_page_state(page)}" + (f": {paged}" if paged else ""))
    return lines


def _page_state(page: Page) -> str:
    what = f"`{page.policy}`" if page.policy else f"<@{page.user_id}>"
    if page.state == PageState.WAITING:
        return f"Paging {what} waits for business hours ({slack_date(page.starts_at)})"
    if page.state == PageState.ACKNOWLEDGED:
        return f"Paged {what}, acknowledged by <@{page.acknowledged_by}> {slack_date(page.acknowledged_at)}"
    if page.state == PageState.ENDED:
        return f"Paged {what}, stopped"
    return f"Paging {what}, level {page.level + 1}, nobody has acknowledged yet"


def _service_line(incident: Incident, config: IncidentConfig) -> str:
    if not incident.service:
        return "Service: _not set_"
    service = config.service(incident.service)
    runbook = f" · <{service.runbook}|runbook>" if service and service.runbook else " · no runbook configured"
    return f"Service: *{incident.service}*{runbook}"


def _excerpt(text: str | None, incident: Incident, rendering: Rendering) -> str:
    """A long text quoted in a live message: its start, and the way to the rest."""
    return clip(said(text), EXCERPT, rendering.more(incident))


def summary_message(incident: Incident, rendering: Rendering) -> Message:
    """The pinned live summary in the incident channel."""
    config = rendering.config
    comms = incident.holder(Role.COMMS_LEAD)
    fields = [
        MarkdownTextObject(text=f"*Severity*\n{severity_label(incident, config)}"),
        MarkdownTextObject(text=f"*Status*\n{state_line(incident)}"),
        MarkdownTextObject(text=f"*Incident Commander*\n{person(incident.holder(Role.COMMANDER))}"),
        MarkdownTextObject(text=f"*Communication Lead*\n{person(comms)}"),
    ]
    warning = None
    if comms_lead_wanted(incident, config):
        warning = SectionBlock(text=(
            f":warning: *{incident.severity} needs a Communication Lead* who is not the Incident Commander: "
            "one person fixes, one talks to stakeholders. Press *Take communication lead*."
        ))
    details = [*drill_line(incident), _ack_line(incident), *_alert_lines(incident), *_paging_lines(incident),
               f"Declared by {person(incident.declared_by)} {slack_date(incident.declared_at)}",
               _service_line(incident, config)]
    if incident.resolution_summary:
        details.append(f"Resolution: {_excerpt(incident.resolution_summary, incident, rendering)}")
    details.append(_update_line(incident, rendering))
    details.append(f"<{rendering.incident_url(incident)}|{incident.number} in the web console>")
    buttons = []
    if incident.is_open and incident.acknowledged_at is None:
        buttons.append(ButtonElement(text="Acknowledge", action_id=Action.ACKNOWLEDGE, value=str(incident.id), style="primary"))
    if incident.is_open and (comms is None or comms_lead_wanted(incident, config)):
        buttons.append(take_comms_button(incident))
    if incident.is_open:
        buttons.append(post_update_button(incident))
        buttons.append(resolve_button(incident))
    description = _excerpt(incident.description, incident, rendering) if incident.description else None
    blocks = as_blocks(
        HeaderBlock(text=header_text(incident)),
        warning,
        SectionBlock(fields=fields),
        SectionBlock(text=description) if description else None,
        _context(details),
        ActionsBlock(elements=buttons) if buttons else None,
    )
    return Message(text=clip(f"{incident.line(said)} ({incident.status})", FIELD_TEXT), blocks=blocks)


def _context(lines: list[str]) -> ContextBlock:
    """Detail lines in one context element (Slack allows ten), cut to a text object's size."""
    return ContextBlock(elements=[MarkdownTextObject(text=clip("\n".join(lines), SECTION_TEXT))])


def _update_line(incident: Incident, rendering: Rendering) -> str:
    if not incident.is_open:
        return f"Latest update {slack_date(incident.latest_update_at)}" if incident.latest_update_at else "No update posted"
    latest = (f"Latest update {slack_date(incident.latest_update_at)}: "
              f"{_excerpt(incident.latest_update, incident, rendering)}"
              if incident.latest_update else "No stakeholder update yet")
    due = f"; next due {slack_date(incident.update_due_at)}" if incident.update_due_at else ""
    return f":loudspeaker: {latest}{due}"


def announcement_message(incident: Incident, rendering: Rendering) -> Message:
    """The post in the announcement channel, kept current like the summary."""
    config = rendering.config
    where = f"<#{incident.channel_id}>" if incident.channel_id else "_channel being created_"
    lines = [
        *drill_line(incident),
        f"*{incident.number}* · {severity_label(incident, config)} · {state_line(incident)}",
        f"*{said(incident.title)}*",
        f"Channel: {where} · Incident Commander: {person(incident.holder(Role.COMMANDER))} · "
        f"Communication Lead: {person(incident.holder(Role.COMMS_LEAD))}",
    ]
    if incident.service:
        lines.append(_service_line(incident, config))
    lines += _alert_lines(incident)
    if incident.latest_update:
        lines.append(f"Latest update {slack_date(incident.latest_update_at)}: "
                     f"{_excerpt(incident.latest_update, incident, rendering)}")
    blocks = as_blocks(
        SectionBlock(text=clip("\n".join(lines), SECTION_TEXT, rendering.more(incident))),
        ContextBlock(elements=[MarkdownTextObject(
            text=f"Declared by {person(incident.declared_by)} {slack_date(incident.declared_at)} · "
                 "updates follow in this thread; *Subscribe* to get them by DM · "
                 f"<{rendering.incident_url(incident)}|web page>")]),
        ActionsBlock(elements=[ButtonElement(text="Subscribe / unsubscribe", action_id=Action.SUBSCRIBE,
                                             value=str(incident.id))]),
    )
    verb = "resolved" if incident.status == Status.RESOLVED else "declared"
    return Message(text=marked(incident.drill, f"{incident.number} {verb} ({incident.severity}): {said(incident.title)}"),
                   blocks=blocks)


def channel_topic(incident: Incident, rendering: Rendering) -> str:
    topic = marked(incident.drill, f"{incident.number} {incident.severity.upper()} {incident.status} · "
                                   f"IC {person(incident.holder(Role.COMMANDER))} · {said(incident.title)}", "DRILL", " ")
    return clip(topic, TOPIC)
