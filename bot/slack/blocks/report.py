"""After the incident, in Slack: the report and action item forms, the lists of action items, the
answers, the buttons on the resolution message, and the DMs the reminders owe."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    UrlInputElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.reports.actions import MAX_TEXT, OwnedAction
from bot.reports.report import MAX_FIELD, ReportForm
from bot.slack.blocks.common import SECTION_TEXT, Message, Rendering, as_blocks, clip, said
from bot.slack.ids import Action, ActionField, ReportField
from bot.slack.ids import View as ViewId
from models import ActionItem, ActionType, Delivery, Incident, Priority

MAX_LISTED = 40
"""Items shown in one list message (Slack allows 50 blocks)."""
BLAMELESS = "blameless"
_FORM_FIELDS = (
    (ReportField.IMPACT, "impact", "Impact", "Who was affected, how many, how badly and for how long."),
    (ReportField.ROOT_CAUSE, "root_cause", "Root cause", "Why it happened, and why it was not caught sooner."),
    (ReportField.RESOLUTION, "resolution", "Resolution", "What fixed it; for a temporary fix, what is still owed."),
    (ReportField.WENT_WELL, "went_well", "What went well", None),
    (ReportField.WENT_BADLY, "went_badly", "What went badly", None),
    (ReportField.LUCKY, "lucky", "Where we got lucky", None),
)
FORM_FIELDS = {block: name for block, name, _, _ in _FORM_FIELDS}
"""Each input of the report form by the report field it edits."""
DELIVERIES = ("report_reminder", "review_due", "action_assigned", "action_due", "action_overdue")


def report_buttons(incident: Incident) -> list[ButtonElement]:
    """On the resolution message: fill in the report, file an action item."""
    return [ButtonElement(text="Edit report", action_id=Action.EDIT_REPORT, value=str(incident.id), style="primary"),
            ButtonElement(text="Add action item", action_id=Action.ADD_ACTION, value=str(incident.id))]


def report_modal(form: ReportForm) -> dict:
    """The commander's fields, as stored, and the blameless switch."""
    blocks = [InputBlock(block_id=block, label=label, optional=True, hint=hint,
                         element=PlainTextInputElement(action_id=block, multiline=True, max_length=MAX_FIELD,
                                                       initial_value=form.fields[name] or None))
              for block, name, label, hint in _FORM_FIELDS]
    switch = Option(value=BLAMELESS, text="Blameless: name people by their role in the incident")
    blocks.append(InputBlock(block_id=ReportField.BLAMELESS, label="People", optional=True,
                             element=CheckboxesElement(action_id=ReportField.BLAMELESS, options=[switch],
                                                       initial_options=[switch] if form.blameless else None)))
    view = View(type="modal", callback_id=ViewId.REPORT, title=f"Report of {form.number}", submit="Save",
                close="Cancel", private_metadata=str(form.incident_id), blocks=blocks)
    return view.to_dict()


def action_modal(incident: Incident, owner: str | None) -> dict:
    """*Add action item*: text, owner (the commander unless changed), priority, type, due date, ticket."""
    priorities = [Option(value=p.value, text=p.value.upper()) for p in Priority]
    types = [Option(value=t.value, text=t.value.capitalize()) for t in ActionType]
    view = View(type="modal", callback_id=ViewId.ACTION, title="Add action item", submit="Add", close="Cancel",
                private_metadata=str(incident.id), blocks=[
                    InputBlock(block_id=ActionField.TEXT, label="What should be done",
                               element=PlainTextInputElement(action_id=ActionField.TEXT, max_length=MAX_TEXT)),
                    InputBlock(block_id=ActionField.OWNER, label="Owner", optional=True,
                               hint="Left empty, the Incident Commander owns it.",
                               element=UserSelectElement(action_id=ActionField.OWNER, initial_user=owner)),
                    InputBlock(block_id=ActionField.PRIORITY, label="Priority",
                               element=StaticSelectElement(action_id=ActionField.PRIORITY, options=priorities,
                                                           initial_option=priorities[1])),
                    InputBlock(block_id=ActionField.TYPE, label="Type", optional=True,
                               element=StaticSelectElement(action_id=ActionField.TYPE, options=types)),
                    InputBlock(block_id=ActionField.DUE, label="Due", optional=True,
                               element=DatePickerElement(action_id=ActionField.DUE)),
                    InputBlock(block_id=ActionField.TRACKER_URL, label="Ticket", optional=True,
                               hint="The link of the ticket that tracks it, if there is one.",
                               element=UrlInputElement(action_id=ActionField.TRACKER_URL)),
                ])
    return view.to_dict()


# -- answers -----------------------------------------------------------------------------------


def report_requested(incident: Incident, rendering: Rendering) -> Message:
    state = " (a *draft*: the incident is still open)" if incident.is_open else ""
    return Message(text=(
        f":memo: Drafting the report of {incident.number}{state}: it becomes this channel's canvas (a Markdown file "
        f"where canvases are unavailable), kept current from the record. On the web: "
        f"<{rendering.report_url(incident.id)}|{incident.number}'s report>. "
        "Fill in impact, root cause and the rest with `/incident report edit`."))


def action_added(item: ActionItem, number: str) -> Message:
    due = f", due {item.due_on:%a %d %b %Y}" if item.due_on else ""
    return Message(text=f"Added action item {item.number} to {number} for <@{item.owner}> ({item.priority.upper()}{due}).")


def action_closed(item: ActionItem) -> Message:
    return Message(text=f"Action item {item.number} of INC-{item.incident_id} is done: ~{said(item.text)}~")


def review_held(incident: Incident) -> Message:
    return Message(text=f"The post-incident review of {incident.number} is marked held; its report now says *Reviewed*.")


def report_file_comment(incident: Incident, url: str, unavailable: str | None, first: bool) -> str:
    """What a report's Markdown file says in the channel; the first says why it is a file, once."""
    if first:
        return (f":page_facing_up: Canvases are not available in this workspace ({unavailable}), so the report of "
                f"{incident.number} is posted here as a Markdown file instead. `/incident report` posts a fresh copy; "
                f"<{url}|its web page> is always current.")
    return f":page_facing_up: The report of {incident.number}, updated. <{url}|Its web page> is always current."


def report_nowhere(incident: Incident, url: str, canvas: str | None, file: str) -> Message:
    """Slack takes neither a canvas nor a file here: the report is on the web."""
    return Message(text=f":page_facing_up: Slack refuses both a canvas ({canvas}) and a file ({file}) here, so the "
                        f"report of {incident.number} is on <{url}|its web page> only.")


# -- lists ---------------------------------------------------------------------------------------


def actions_message(incident: Incident, items: Sequence[ActionItem], today: date, rendering: Rendering) -> Message:
    """``/incident actions``: the incident's items, done ones struck through, each open one with *Done*."""
    if not items:
        return Message(text=f"{incident.number} has no action items yet. Add one with "
                            "`/incident action <text> [@owner] [p1|p2|p3] [due <date>]`.")
    open_ = sum(item.is_open for item in items)
    head = f"*Action items of {incident.number}* ({open_} open, {len(items) - open_} done)"
    return _list(head, [(f"*{i.number}.*", i) for i in items], today,
                 f"<{rendering.report_url(incident.id)}|the rest in the report>")


def my_actions_message(owned: Sequence[OwnedAction], today: date, rendering: Rendering) -> Message:
    """``/incident actions mine``: every open item the person owns, the oldest due first."""
    if not owned:
        return Message(text="You own no open action items. :tada:")
    head = f"*Your open action items* ({len(owned)}), the oldest due first"
    return _list(head, [(f"*{o.number} #{o.item.number}*", o.item) for o in owned], today,
                 "the rest with `/incident actions` in each incident's channel")


def _list(head: str, rows: list[tuple[str, ActionItem]], today: date, rest: str) -> Message:
    blocks = [SectionBlock(text=head)]
    for name, item in rows[:MAX_LISTED]:
        done = ButtonElement(text="Done", action_id=Action.ACTION_DONE, value=str(item.id)) if item.is_open else None
        blocks.append(SectionBlock(text=clip(f"{name} {_item_line(item, today)}", SECTION_TEXT), accessory=done))
    if len(rows) > MAX_LISTED:
        blocks.append(SectionBlock(text=f"… {len(rows) - MAX_LISTED} more: {rest}"))
    lines = [head] + [f"{name} {_item_line(item, today)}" for name, item in rows]
    return Message(text=clip("\n".join(lines), SECTION_TEXT), blocks=as_blocks(*blocks))


def _item_line(item: ActionItem, today: date) -> str:
    text = said(item.text)
    if not item.is_open:
        return f"~{text}~ · <@{item.owner}> · done"
    details = [f"<@{item.owner}>", item.priority.upper(), item.type or "type not set", _due(item, today)]
    if item.tracker_url:
        details.append(f"<{item.tracker_url}|ticket>")
    return f"{text} · " + " · ".join(details)


def _due(item: ActionItem, today: date) -> str:
    if item.due_on is None:
        return "no due date"
    late = " (*overdue*)" if item.due_on < today else ""
    return f"due {item.due_on:%a %d %b %Y}{late}"


# -- the DMs reminders owe -------------------------------------------------------------------------


def report_delivery(delivery: Delivery, incident: Incident, rendering: Rendering) -> Message:
    """A reminder about the report, the review or an action item, by the delivery's kind."""
    where = f" in <#{incident.channel_id}>" if incident.channel_id else ""
    report = f"<{rendering.report_url(incident.id)}|the draft report>"
    if delivery.kind == "report_reminder":
        return Message(text=f":memo: Reminder: write the incident report for {incident.number} ({said(incident.title)}) and "
                            f"file its action items, each with an owner and a priority{where}: {report} is waiting for "
                            "its impact and root cause (`/incident report edit`).")
    if delivery.kind == "review_due":
        text = (f":calendar: The post-incident review of {incident.number} ({said(incident.title)}) is due today, and "
                f"its report still lacks its root cause or action items: {report}. Once it is held, press *Review held* "
                f"or type `/incident review done`{where}.")
        button = ButtonElement(text="Review held", action_id=Action.REVIEW_HELD, value=str(incident.id))
        return Message(text=text, blocks=as_blocks(SectionBlock(text=text), ActionsBlock(elements=[button])))
    item = delivery.action_item
    what = f"action item {item.number} of {incident.number}: {said(item.text)}"
    due = f"{item.due_on:%a %d %b %Y}" if item.due_on else "no due date"
    if delivery.kind == "action_assigned":
        text = (f":white_check_mark: You own {what} ({item.priority.upper()}, due {due}). "
                "`/incident actions mine` lists everything you own.")
    elif delivery.kind == "action_due":
        text = f":hourglass_flowing_sand: Due {due}: {what}."
    else:
        text = f":warning: Overdue since {due}: {what}."
    button = ButtonElement(text="Done", action_id=Action.ACTION_DONE, value=str(item.id))
    return Message(text=clip(text, SECTION_TEXT), blocks=as_blocks(SectionBlock(text=clip(text, SECTION_TEXT)),
                                                                   ActionsBlock(elements=[button])))
