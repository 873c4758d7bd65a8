"""Every Slack message and view the bot sends, rendered from the database rows.

Re-render, don't patch: the summary and the announcement are rebuilt from the incident on
every change and sent with ``chat.update``. Block Kit comes from slack-sdk's models.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.config import IncidentConfig
from bot.core.durations import format_duration
from bot.core.people import mention
from bot.incidents.roles import comms_lead_wanted
from bot.paging.oncall import OnCallStatus
from bot.paging.rotation import Duty
from bot.slack.ids import Action, DeclareField, UpdateField
from bot.slack.ids import View as ViewId
from models import Incident, Page, PageNotification, PageState, Role, Status, TimelineEvent

MAX_TOPIC = 250

_STATUS_EMOJI = {
    Status.INVESTIGATING: ":mag:",
    Status.IDENTIFIED: ":bulb:",
    Status.MITIGATED: ":adhesive_bandage:",
    Status.RESOLVED: ":white_check_mark:",
}
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
_COMMS_WANTED = "This severity needs a Communication Lead who is not the Incident Commander: press *Take communication lead*."

HELP = """*`/incident` commands*
• `/incident` opens the declare form
• `/incident declare [sevN] <title>` declares at once (anywhere)
• `/incident list` shows the open incidents (anywhere)
• `/incident oncall [schedule]` shows who is on call now and next (anywhere)
• `/incident oncall override @user <4h|until fri 18:00> [schedule]` takes a shift (anywhere)
In an incident's channel:
• `/incident status <investigating|identified|mitigated|resolved>` moves the incident
• `/incident update <text>` posts a stakeholder update (channel, announcement thread, subscribers)
• `/incident resolve [summary]` resolves it
• `/incident sev <sevN> [reason]` changes the severity (a downgrade is announced as one)
• `/incident ic @user`, `/incident comms @user` hand a role over
• `/incident ack` acknowledges the incident and the pages that reached you
• `/incident page <service|@user>` pages a service's on-call chain, or one person
• `/incident escalate` pages the next escalation level now
• `/incident note <text>` adds to the timeline; so does a :pushpin: reaction on any message here
• `/incident timeline` posts the timeline so far
• `/incident help` shows this"""


@dataclass(frozen=True)
class Message:
    """What ``chat.postMessage``/``chat.update`` need: a notification text and the blocks."""

    text: str
    blocks: list[dict] = field(default_factory=list)


def _blocks(*blocks: Block | None) -> list[dict]:
    return [b.to_dict() for b in blocks if b is not None]


def slack_date(moment: datetime, style: str = "{date_short_pretty} {time}") -> str:
    """A date every reader sees in their own time zone."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{style}|{fallback}>"


def _user(user_id: str | None) -> str:
    return mention(user_id)


def _severity_label(incident: Incident, config: IncidentConfig) -> str:
    return f"{incident.severity.upper()} ({config.severity(incident.severity).label})"


def _state_line(incident: Incident) -> str:
    status = Status(incident.status)
    line = f"{_STATUS_EMOJI[status]} *{status.value.capitalize()}*"
    if status is Status.RESOLVED and incident.transient:
        return f"{line} (transient: the alert resolved itself, nobody was paged) {slack_date(incident.resolved_at)}"
    if status is Status.RESOLVED:
        how = "mitigated, then fixed" if incident.mitigated_at else "fixed"
        return f"{line} ({how}) {slack_date(incident.resolved_at)}"
    if status is Status.MITIGATED:
        return f"{line}: impact contained, not fixed yet"
    return line


def _ack_line(incident: Incident) -> str:
    if incident.acknowledged_at is None:
        return ":rotating_light: *Unacknowledged*: nobody has acknowledged this incident yet"
    return f":eyes: Acknowledged by {_user(incident.acknowledged_by)} {slack_date(incident.acknowledged_at)}"


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


def page_message(incident: Incident, notification: PageNotification, config: IncidentConfig) -> Message:
    """The DM that pages a person: what broke, where to go, and the button that stops the paging."""
    where = f"<#{incident.channel_id}>" if incident.channel_id else "its channel is being created"
    again = " (again: nobody has acknowledged yet)" if notification.renotify else ""
    text = f":rotating_light: You are paged{again} for {incident.number} ({incident.severity}): {incident.title}"
    lines = [
        text,
        f"{_severity_label(incident, config)} · {_state_line(incident)} · {where}",
        f"Why you: {notification.target}, level {notification.level + 1}"
        + (f"; acknowledging makes you {Role(notification.role).title} if nobody is" if notification.role else ""),
    ]
    return Message(text=text, blocks=_blocks(
        SectionBlock(text="\n".join(lines)),
        ActionsBlock(elements=[ButtonElement(text="Acknowledge", action_id=Action.ACKNOWLEDGE, value=str(incident.id),
                                             style="primary")]),
    ))


def _service_line(incident: Incident, config: IncidentConfig) -> str:
    if not incident.service:
        return "Service: _not set_"
    service = config.service(incident.service)
    runbook = f" · <{service.runbook}|runbook>" if service and service.runbook else " · no runbook configured"
    return f"Service: *{incident.service}*{runbook}"


def summary_message(incident: Incident, config: IncidentConfig) -> Message:
    """The pinned live summary in the incident channel."""
    comms = incident.holder(Role.COMMS_LEAD)
    fields = [
        MarkdownTextObject(text=f"*Severity*\n{_severity_label(incident, config)}"),
        MarkdownTextObject(text=f"*Status*\n{_state_line(incident)}"),
        MarkdownTextObject(text=f"*Incident Commander*\n{_user(incident.holder(Role.COMMANDER))}"),
        MarkdownTextObject(text=f"*Communication Lead*\n{_user(comms)}"),
    ]
    warning = None
    if comms_lead_wanted(incident, config):
        warning = SectionBlock(text=(
            f":warning: *{incident.severity} needs a Communication Lead* who is not the Incident Commander: "
            "one person fixes, one talks to stakeholders. Press *Take communication lead*."
        ))
    details = [_ack_line(incident), *_paging_lines(incident),
               f"Declared by {_user(incident.declared_by)} {slack_date(incident.declared_at)}",
               _service_line(incident, config)]
    if incident.resolution_summary:
        details.append(f"Resolution: {incident.resolution_summary}")
    details.append(_update_line(incident))
    buttons = []
    if incident.is_open and incident.acknowledged_at is None:
        buttons.append(ButtonElement(text="Acknowledge", action_id=Action.ACKNOWLEDGE, value=str(incident.id), style="primary"))
    if incident.is_open and (comms is None or comms_lead_wanted(incident, config)):
        buttons.append(ButtonElement(text="Take communication lead", action_id=Action.TAKE_COMMS, value=str(incident.id)))
    if incident.is_open:
        buttons.append(_post_update_button(incident))
        buttons.append(_resolve_button(incident))
    blocks = _blocks(
        HeaderBlock(text=_header(incident)),
        warning,
        SectionBlock(fields=fields),
        SectionBlock(text=incident.description) if incident.description else None,
        ContextBlock(elements=[MarkdownTextObject(text=line) for line in details]),
        ActionsBlock(elements=buttons) if buttons else None,
    )
    return Message(text=f"{incident.number} {incident.severity}: {incident.title} ({incident.status})", blocks=blocks)


def _post_update_button(incident: Incident) -> ButtonElement:
    return ButtonElement(text="Post update", action_id=Action.POST_UPDATE, value=str(incident.id), style="primary")


def _nag_buttons(incident: Incident, config: IncidentConfig) -> list[ButtonElement]:
    buttons = [_post_update_button(incident),
               ButtonElement(text="Snooze 15m", action_id=f"{Action.SNOOZE}_15", value=f"{incident.id}:15"),
               ButtonElement(text="Snooze 30m", action_id=f"{Action.SNOOZE}_30", value=f"{incident.id}:30")]
    if comms_lead_wanted(incident, config):
        buttons.append(ButtonElement(text="Take communication lead", action_id=Action.TAKE_COMMS, value=str(incident.id)))
    return buttons


def _update_line(incident: Incident) -> str:
    if not incident.is_open:
        return f"Latest update {slack_date(incident.latest_update_at)}" if incident.latest_update_at else "No update posted"
    latest = (f"Latest update {slack_date(incident.latest_update_at)}: {incident.latest_update}"
              if incident.latest_update else "No stakeholder update yet")
    due = f"; next due {slack_date(incident.update_due_at)}" if incident.update_due_at else ""
    return f":loudspeaker: {latest}{due}"


def _update_text(incident: Incident, event: TimelineEvent) -> str:
    """An update says whether the incident is mitigated or resolved, and when the next one comes."""
    state = event.data.get("status", incident.status)
    text = f"*{incident.number} update* ({state}) from {_user(event.actor)}: {event.text}"
    if event.data.get("next_at"):
        text += f"\nNext update by {slack_date(datetime.fromisoformat(event.data['next_at']))}."
    return text


def _resolve_button(incident: Incident) -> ButtonElement:
    confirm = ConfirmObject(title=f"Resolve {incident.number}?", text="Everyone in the channel is told.",
                            confirm="Resolve", deny="Cancel")
    return ButtonElement(text="Resolve", action_id=Action.RESOLVE, value=str(incident.id), style="danger", confirm=confirm)


def _header(incident: Incident) -> str:
    return f"{incident.number} · {incident.severity.upper()} · {incident.title}"[:150]


def announcement_message(incident: Incident, config: IncidentConfig) -> Message:
    """The post in the announcement channel, kept current like the summary."""
    where = f"<#{incident.channel_id}>" if incident.channel_id else "_channel being created_"
    lines = [
        f"*{incident.number}* · {_severity_label(incident, config)} · {_state_line(incident)}",
        f"*{incident.title}*",
        f"Channel: {where} · Incident Commander: {_user(incident.holder(Role.COMMANDER))} · "
        f"Communication Lead: {_user(incident.holder(Role.COMMS_LEAD))}",
    ]
    if incident.service:
        lines.append(_service_line(incident, config))
    if incident.latest_update:
        lines.append(f"Latest update {slack_date(incident.latest_update_at)}: {incident.latest_update}")
    blocks = _blocks(
        SectionBlock(text="\n".join(lines)),
        ContextBlock(elements=[MarkdownTextObject(
            text=f"Declared by {_user(incident.declared_by)} {slack_date(incident.declared_at)} · "
                 "updates follow in this thread; *Subscribe* to get them by DM")]),
        ActionsBlock(elements=[ButtonElement(text="Subscribe / unsubscribe", action_id=Action.SUBSCRIBE,
                                             value=str(incident.id))]),
    )
    verb = "resolved" if incident.status == Status.RESOLVED else "declared"
    return Message(text=f"{incident.number} {verb} ({incident.severity}): {incident.title}", blocks=blocks)


def channel_topic(incident: Incident, config: IncidentConfig) -> str:
    topic = (f"{incident.number} {incident.severity.upper()} {incident.status} · "
             f"IC {_user(incident.holder(Role.COMMANDER))} · {incident.title}")
    return topic if len(topic) <= MAX_TOPIC else topic[: MAX_TOPIC - 1] + "…"


def event_message(event: TimelineEvent, incident: Incident, config: IncidentConfig) -> Message:
    """A timeline event as it is posted in the incident channel."""
    emoji = _EVENT_EMOJI.get(event.kind, ":small_blue_diamond:")
    if event.kind == "severity_changed" and event.data.get("downgrade"):
        emoji = ":chart_with_downwards_trend:"
    text = f"<@{event.actor}> noted: {event.text}" if event.kind == "note" else event.text
    if event.kind == "update":
        text = _update_text(incident, event)
    if event.kind == "nag" and incident.is_open:
        wanted = f"\n:warning: {_COMMS_WANTED}" if comms_lead_wanted(incident, config) else ""
        return Message(text=text, blocks=_blocks(
            SectionBlock(text=f"{emoji} {text}{wanted}"),
            ActionsBlock(elements=_nag_buttons(incident, config)),
        ))
    if event.kind == "comms_wanted" and comms_lead_wanted(incident, config):
        return Message(text=text, blocks=_blocks(
            SectionBlock(text=f"{emoji} {text}"),
            ActionsBlock(elements=[ButtonElement(text="Take communication lead", action_id=Action.TAKE_COMMS,
                                                 value=str(incident.id), style="primary")]),
        ))
    if event.kind == "alert_resolved" and incident.is_open:
        text = f"{text}, {_user(incident.holder(Role.COMMANDER))}."
        return Message(text=text, blocks=_blocks(
            SectionBlock(text=f"{emoji} {text}"),
            ActionsBlock(elements=[_resolve_button(incident)]),
        ))
    return Message(text=text, blocks=_blocks(SectionBlock(text=f"{emoji} {text}")))


def timeline_message(incident: Incident, events: Sequence[TimelineEvent], config: IncidentConfig) -> Message:
    """The timeline in order, times in the configured zone (the report's zone, not each reader's)."""
    lines = [f"`{e.at.astimezone(config.tz):%a %d %b %H:%M:%S}`  {_timeline_text(e)}" for e in events]
    body = "\n".join(lines) or "_nothing yet_"
    return Message(text=f"Timeline of {incident.number}", blocks=_blocks(
        HeaderBlock(text=f"Timeline of {incident.number} ({config.timezone})"),
        *[SectionBlock(text=chunk) for chunk in _chunks(body, 2900)],
    ))


def _timeline_text(event: TimelineEvent) -> str:
    if event.kind == "note":
        return f"{_user(event.actor)} noted: {event.text}"
    if event.kind == "update":
        return f"Update from {_user(event.actor)} ({event.data.get('status', '')}): {event.text}"
    return event.text


def _chunks(text: str, size: int) -> list[str]:
    """Split at line ends so each part fits in one section block (3,000 characters)."""
    parts, current = [], ""
    for line in text.splitlines():
        if current and len(current) + len(line) + 1 > size:
            parts.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line[:size]
    return parts + [current] if current else parts


def incident_list_message(incidents: Sequence[Incident], config: IncidentConfig) -> Message:
    if not incidents:
        return Message(text="No open incidents. :tada:")
    lines = []
    for i in incidents:
        where = f"<#{i.channel_id}>" if i.channel_id else "(channel pending)"
        lines.append(f"• *{i.number}* {_severity_label(i, config)} · {i.status} · {i.title} · {where} · "
                     f"IC {_user(i.holder(Role.COMMANDER))} · since {slack_date(i.declared_at)}")
    text = f"{len(incidents)} open incident{'s' if len(incidents) != 1 else ''}:\n" + "\n".join(lines)
    return Message(text=text, blocks=_blocks(*[SectionBlock(text=c) for c in _chunks(text, 2900)]))


def declare_modal(config: IncidentConfig, origin: dict) -> dict:
    """The form ``/incident`` opens; ``origin`` (channel, response URL) rides in private_metadata."""
    severities = [Option(value=name, text=f"{name} · {config.severity(name).label}") for name in config.severity_names()]
    default = next(o for o in severities if o.value == config.default_severity)
    blocks: list[Block] = [
        InputBlock(block_id=DeclareField.TITLE, label="Title",
                   element=PlainTextInputElement(action_id=DeclareField.TITLE, max_length=200,
                                                 placeholder="What is broken, as users see it")),
        InputBlock(block_id=DeclareField.SEVERITY, label="Severity",
                   hint="When unsure, pick the higher one: downgrading later is recorded and cheap.",
                   element=StaticSelectElement(action_id=DeclareField.SEVERITY, options=severities, initial_option=default)),
    ]
    if config.services:
        blocks.append(InputBlock(block_id=DeclareField.SERVICE, label="Service", optional=True,
                                 element=StaticSelectElement(action_id=DeclareField.SERVICE,
                                                             options=[Option(value=s, text=s) for s in config.services])))
    blocks += [
        InputBlock(block_id=DeclareField.DESCRIPTION, label="Description", optional=True,
                   element=PlainTextInputElement(action_id=DeclareField.DESCRIPTION, multiline=True)),
        InputBlock(block_id=DeclareField.COMMANDER, label="Incident Commander", optional=True,
                   hint="Leave empty to lead it yourself.",
                   element=UserSelectElement(action_id=DeclareField.COMMANDER)),
    ]
    view = View(type="modal", callback_id=ViewId.DECLARE, title="Declare an incident", submit="Declare",
                close="Cancel", blocks=blocks, private_metadata=json.dumps(origin))
    return view.to_dict()


def declared_message(incident: Incident) -> Message:
    """The declarer's ephemeral confirmation, sent before any Slack work starts."""
    return Message(text=(
        f":rotating_light: *{incident.number}* is recorded ({incident.severity}): {incident.title}\n"
        "Its public channel is being created now; you will be invited, and it is announced "
        "in the announcement channel. It stays *unacknowledged* until someone presses *Acknowledge*."
    ))


def _when(moment: datetime | None) -> str:
    return slack_date(moment) if moment else "no planned handoff"


def oncall_message(status: OnCallStatus) -> Message:
    """``/incident oncall``: who now (since, until), who next, and the overrides ahead."""
    now = status.now
    lines = [f"*{status.schedule}*: {mention(now.user)} is on call now"
             + (f" (covering, by override, until {slack_date(now.override.end)})" if now.override else "")
             + (f", since {slack_date(now.start)}" if now.start else "")
             + (f", until {slack_date(now.end)}" if now.end else "")]
    if status.next is not None:
        lines.append(f"Next: {mention(status.next.user)} from {_when(status.next.start)}")
    for span in status.overrides:
        lines.append(f"Override: {mention(span.user)} from {slack_date(span.start)} to {slack_date(span.end)}"
                     + (f" (set by {mention(span.created_by)})" if span.created_by else ""))
    text = "\n".join(lines)
    return Message(text=text, blocks=_blocks(SectionBlock(text=text)))


def override_message(schedule: str, user: str, start: datetime, end: datetime) -> Message:
    return Message(text=f"{mention(user)} is on call for *{schedule}* from {slack_date(start)} until {slack_date(end)}.")


def handoff_messages(schedule: str, duty: Duty) -> tuple[Message, Message]:
    """What the incoming person is DMed, and what the schedule's channel is told."""
    until = f" until {slack_date(duty.end)}" if duty.end else ""
    dm = Message(text=f":pager: You are now on call for *{schedule}*{until}. Pages come here, by DM; "
                      "`/incident oncall` shows the schedule.")
    channel = Message(text=f":pager: {mention(duty.user)} is now on call for *{schedule}*{until}.")
    return dm, channel


def delivery_message(delivery, incident: Incident, config: IncidentConfig) -> Message:
    """The DM a ``Delivery`` owes someone, by its kind."""
    where = f" in <#{incident.channel_id}>" if incident.channel_id else ""
    if delivery.kind == "update" and delivery.event is not None:
        return Message(text=_update_text(incident, delivery.event))
    if delivery.kind == "resolution":
        summary = f": {incident.resolution_summary}" if incident.resolution_summary else ""
        how = "transient" if incident.transient else ("mitigated, then fixed" if incident.mitigated_at else "fixed")
        return Message(text=f":white_check_mark: {incident.number} is resolved ({how}){summary}. {incident.title}")
    if delivery.kind == "summary_request":
        return Message(text=f"{incident.number} is resolved. Please write two lines on what happened and what fixed it "
                            f"with `/incident note <summary>`{where}: stakeholders and the report will use it.")
    if delivery.kind == "report_reminder":
        return Message(text=f":memo: Reminder: write the incident report for {incident.number} ({incident.title}) and "
                            f"file its action items, each with an owner and a priority{where}.")
    role = Role(delivery.kind.split(":", 1)[1])
    steps = "\n".join(f"• {step}" for step in config.checklist(role.value))
    return Message(text=f"You are now the *{role.title}* of {incident.number}: {incident.title}{where}.\n{steps}")


def update_modal(incident: Incident, config: IncidentConfig) -> dict:
    """*Post update*: status, text, and when the next update will come."""
    statuses = [Option(value=s.value, text=s.value.capitalize()) for s in Status if s is not Status.RESOLVED]
    current = next((o for o in statuses if o.value == incident.status), statuses[0])
    every = config.severity(incident.severity).update_every
    choices = [Option(value=str(int(every.total_seconds())), text=f"{format_duration(every)} (the severity's interval)")]
    choices += [Option(value=str(m * 60), text=f"{m} minutes") for m in (15, 30, 60) if m * 60 != every.total_seconds()]
    view = View(type="modal", callback_id=ViewId.UPDATE, title=f"Update {incident.number}", submit="Post",
                close="Cancel", private_metadata=str(incident.id), blocks=[
                    InputBlock(block_id=UpdateField.STATUS, label="Status",
                               element=StaticSelectElement(action_id=UpdateField.STATUS, options=statuses,
                                                           initial_option=current)),
                    InputBlock(block_id=UpdateField.TEXT, label="Update",
                               hint="What users see, what is being done, what comes next.",
                               element=PlainTextInputElement(action_id=UpdateField.TEXT, multiline=True)),
                    InputBlock(block_id=UpdateField.NEXT, label="Next update in",
                               element=StaticSelectElement(action_id=UpdateField.NEXT, options=choices,
                                                           initial_option=choices[0])),
                ])
    return view.to_dict()
