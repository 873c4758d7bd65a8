"""The three forms' submissions (declare, post an update, publish on the status page): a field's problem
goes back onto the form, next to the field."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from slack_bolt import Ack, App

from bot.incidents.service import Declaration, IncidentService
from bot.slack import blocks
from bot.slack.blocks import Message, replies
from bot.slack.ids import DeclareField, PublicField, UpdateField
from bot.slack.ids import View as ViewId
from bot.status.service import StatusService
from handlers.slack.payloads import json_object, number, user_id
from handlers.slack.replies import Answers, reply_within, submit_form

_FIELD_BLOCKS = {"title": DeclareField.TITLE, "severity": DeclareField.SEVERITY, "service": DeclareField.SERVICE}


def register(app: App, incidents: IncidentService, answers: Answers) -> None:
    @app.view(ViewId.DECLARE)
    def declare_submitted(ack: Ack, body: dict, view: dict) -> None:
        user = user_id(body)
        origin = json_object(view.get("private_metadata"), "the declare form's private_metadata")
        values = view["state"]["values"]
        response_url = origin.get("response_url")
        declaration = Declaration(
            title=input_value(values, DeclareField.TITLE) or "",
            severity=input_value(values, DeclareField.SEVERITY),
            service=input_value(values, DeclareField.SERVICE),
            description=input_value(values, DeclareField.DESCRIPTION),
            commander=input_value(values, DeclareField.COMMANDER),
            public=bool(values.get(DeclareField.PUBLIC, {}).get(DeclareField.PUBLIC, {}).get("selected_options")),
            declared_by=user,
            reply_to=response_url,
        )

        def declare() -> None:
            answers.tell(response_url, blocks.declared_message(incidents.declare(declaration)), user)

        submit_form(answers, ack, body, "the declare form", declare,
                    lambda field: _FIELD_BLOCKS.get(field, DeclareField.TITLE), response_url)


def input_value(values: dict, field: str) -> str | None:
    """The submitted value of one input, whatever its element type."""
    element = values.get(field, {}).get(field, {})
    if "selected_option" in element:
        return (element["selected_option"] or {}).get("value")
    if "selected_user" in element:
        return element["selected_user"]
    return element.get("value")


def register_update(app: App, incidents: IncidentService, answers: Answers) -> None:
    @app.view(ViewId.UPDATE)
    def update_submitted(ack: Ack, body: dict, view: dict) -> None:
        user = user_id(body)
        incident_id = number(view.get("private_metadata"), "the update form's private_metadata")
        values = view["state"]["values"]
        status, text = input_value(values, UpdateField.STATUS), input_value(values, UpdateField.TEXT) or ""
        if not text.strip():
            ack(response_action="errors", errors={UpdateField.TEXT: "An update needs some text."})
            return
        next_in = timedelta(seconds=number(input_value(values, UpdateField.NEXT), "the update form's next update"))

        def post() -> Message | None:
            posted, kept_resolved = incidents.post_update(incident_id, user, text, status, next_in)
            return replies.reopened_elsewhere(posted) if kept_resolved else None

        reply = reply_within(answers, post, "the update form", None, user, body["trigger_id"])
        if reply is not None:
            answers.tell(None, reply, user)
        ack()


def register_public(app: App, status: StatusService, components: Sequence[str], answers: Answers) -> None:
    @app.view(ViewId.PUBLIC)
    def public_submitted(ack: Ack, body: dict, view: dict) -> None:
        user = user_id(body)
        incident_id = number(view.get("private_metadata"), "the public update form's private_metadata")
        values = view["state"]["values"]
        affected = {name: input_value(values, f"{PublicField.COMPONENT}{index}") or "operational"
                    for index, name in enumerate(components)}

        def publish() -> None:
            status.post(incident_id, user, input_value(values, PublicField.TEXT) or "",
                        title=input_value(values, PublicField.TITLE), status=input_value(values, PublicField.STATUS),
                        affected=affected)

        submit_form(answers, ack, body, "the public update form", publish,
                    lambda field: _PUBLIC_BLOCKS.get(field, PublicField.TEXT))


_PUBLIC_BLOCKS = {"title": PublicField.TITLE, "status": PublicField.STATUS, "text": PublicField.TEXT}
