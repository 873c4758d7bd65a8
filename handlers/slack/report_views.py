"""The report's forms and buttons: *Edit report* and *Add action item* (on the resolution message),
their submissions, *Done* on a listed action item and *Review held* on the review's reminder.
A form's problems go back onto the form, next to the field."""

from __future__ import annotations

from datetime import date

from slack_bolt import Ack, App

from bot.reports.actions import ActionService, NewAction
from bot.reports.report import ReportService
from bot.reports.review import ReviewService
from bot.slack.blocks import Message
from bot.slack.blocks import report as blocks
from bot.slack.blocks.report import BLAMELESS, FORM_FIELDS
from bot.slack.ids import Action, ActionField, ReportField
from bot.slack.ids import View as ViewId
from bot.slack.report_forms import ReportForms
from handlers.slack.actions import button
from handlers.slack.payloads import MalformedPayload, number, user_id
from handlers.slack.replies import Answers, submit_form
from handlers.slack.views import input_value

_ACTION_BLOCKS = {"text": ActionField.TEXT, "priority": ActionField.PRIORITY, "type": ActionField.TYPE,
                  "due": ActionField.DUE, "tracker_url": ActionField.TRACKER_URL}


def register(app: App, reports: ReportService, reviews: ReviewService, actions: ActionService,
             report_forms: ReportForms, answers: Answers) -> None:
    def forms(opener):
        def listener(ack: Ack, body: dict, action: dict) -> None:
            incident_id = number(action.get("value"), "the button's value")
            answers.later(opener, body["trigger_id"], incident_id, user_id(body), body.get("response_url"))
            ack()
        return listener

    app.action(Action.EDIT_REPORT)(forms(report_forms.open_report_form))
    app.action(Action.ADD_ACTION)(forms(report_forms.open_action_form))

    def done(action: dict, user: str) -> Message:
        return blocks.action_closed(actions.complete_item(int(action["value"]), user))

    def review_held(action: dict, user: str) -> Message:
        return blocks.review_held(reviews.held(int(action["value"]), user))

    app.action(Action.ACTION_DONE)(button(answers, done))
    app.action(Action.REVIEW_HELD)(button(answers, review_held))

    @app.view(ViewId.REPORT)
    def report_submitted(ack: Ack, body: dict, view: dict) -> None:
        user = user_id(body)
        incident_id = number(view.get("private_metadata"), "the report form's private_metadata")
        values = view["state"]["values"]
        fields = {name: input_value(values, block) for block, name in FORM_FIELDS.items()}
        switch = values.get(ReportField.BLAMELESS, {}).get(ReportField.BLAMELESS, {})
        blameless = any(o.get("value") == BLAMELESS for o in switch.get("selected_options") or [])
        submit_form(answers, ack, body, "the form", lambda: reports.save(incident_id, user, fields, blameless),
                    lambda field: ReportField(f"report_{field}") if field else ReportField.IMPACT)

    @app.view(ViewId.ACTION)
    def action_submitted(ack: Ack, body: dict, view: dict) -> None:
        user = user_id(body)
        incident_id = number(view.get("private_metadata"), "the action item form's private_metadata")
        values = view["state"]["values"]
        new = NewAction(text=input_value(values, ActionField.TEXT) or "", owner=input_value(values, ActionField.OWNER),
                        priority=input_value(values, ActionField.PRIORITY) or "p2", type=input_value(values, ActionField.TYPE),
                        due_on=_day(values), tracker_url=input_value(values, ActionField.TRACKER_URL))
        submit_form(answers, ack, body, "the form", lambda: actions.add(incident_id, user, new),
                    lambda field: _ACTION_BLOCKS.get(field, ActionField.TEXT))


def _day(values: dict) -> date | None:
    picked = values.get(ActionField.DUE, {}).get(ActionField.DUE, {}).get("selected_date")
    if not picked:
        return None
    try:
        return date.fromisoformat(picked)
    except (TypeError, ValueError):
        raise MalformedPayload(f"the date picker's value {picked!r} is not a date") from None
