"""The declare and update forms."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.config import IncidentConfig
from bot.core.durations import format_duration
from bot.slack.blocks.common import SECTION_TEXT, clip
from bot.slack.ids import DeclareField, PublicField, UpdateField
from bot.slack.ids import View as ViewId
from bot.status.public import PUBLIC_TITLE_LENGTH
from bot.status.service import PublicDraft
from bot.status.states import ComponentState, PublicStatus
from models import Incident, Status
from models.incident import TITLE_LENGTH

OPTION_TEXT = 75
"""Slack's limit on an option's text."""


def declare_modal(config: IncidentConfig, origin: dict) -> dict:
    """The form ``/incident`` opens; ``origin`` (channel, response URL) rides in private_metadata."""
    severities = [Option(value=name, text=clip(f"{name} · {config.severity(name).label}", OPTION_TEXT))
                  for name in config.severity_names()]
    default = next(o for o in severities if o.value == config.default_severity)
    blocks: list[Block] = [
        InputBlock(block_id=DeclareField.TITLE, label="Title",
                   element=PlainTextInputElement(action_id=DeclareField.TITLE, max_length=TITLE_LENGTH,
                                                 placeholder="What is broken, as users see it")),
        InputBlock(block_id=DeclareField.SEVERITY, label="Severity",
                   hint="When unsure, pick the higher one: downgrading later is recorded and cheap.",
                   element=StaticSelectElement(action_id=DeclareField.SEVERITY, options=severities, initial_option=default)),
    ]
    if config.services:
        blocks.append(InputBlock(block_id=DeclareField.SERVICE, label="Service", optional=True,
                                 element=StaticSelectElement(action_id=DeclareField.SERVICE,
                                                             options=[Option(value=s, text=clip(s, OPTION_TEXT))
                                                                      for s in config.services])))
    blocks += [
        InputBlock(block_id=DeclareField.DESCRIPTION, label="Description", optional=True,
                   element=PlainTextInputElement(action_id=DeclareField.DESCRIPTION, multiline=True,
                                                 max_length=SECTION_TEXT)),
        InputBlock(block_id=DeclareField.COMMANDER, label="Incident Commander", optional=True,
                   hint="Leave empty to lead it yourself.",
                   element=UserSelectElement(action_id=DeclareField.COMMANDER)),
    ]
    if config.status_page.components:
        blocks.append(InputBlock(block_id=DeclareField.PUBLIC, label="Status page", optional=True,
                                 element=CheckboxesElement(action_id=DeclareField.PUBLIC, options=[Option(
                                     value="public", text="Customers are affected: show it on the status page now")])))
    view = View(type="modal", callback_id=ViewId.DECLARE, title="Declare an incident", submit="Declare",
                close="Cancel", blocks=blocks, private_metadata=json.dumps(origin))
    return view.to_dict()


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
                               element=PlainTextInputElement(action_id=UpdateField.TEXT, multiline=True,
                                                                    max_length=SECTION_TEXT)),
                    InputBlock(block_id=UpdateField.NEXT, label="Next update in",
                               element=StaticSelectElement(action_id=UpdateField.NEXT, options=choices,
                                                           initial_option=choices[0])),
                ])
    return view.to_dict()


def public_modal(draft: PublicDraft, text: str | None = None) -> dict:
    """``/incident public``: the public title, status and text, and the state of each component."""
    statuses = [Option(value=s.value, text=s.label) for s in PublicStatus]
    status = next(o for o in statuses if o.value == draft.status)
    states = [Option(value=s.value, text="Not affected" if s is ComponentState.OPERATIONAL else s.label)
              for s in ComponentState]
    components = [
        InputBlock(block_id=f"{PublicField.COMPONENT}{index}", label=clip(name, OPTION_TEXT),
                   element=StaticSelectElement(action_id=f"{PublicField.COMPONENT}{index}", options=states,
                                               initial_option=next(o for o in states if o.value == state)))
        for index, (name, state) in enumerate(draft.components.items())
    ]
    view = View(type="modal", callback_id=ViewId.PUBLIC, title=f"Status page: {draft.number}", submit="Publish",
                close="Cancel", private_metadata=str(draft.incident_id), blocks=[
                    InputBlock(block_id=PublicField.TITLE, label="Public title",
                               hint="What customers read. The internal title never reaches the status page.",
                               element=PlainTextInputElement(action_id=PublicField.TITLE, max_length=PUBLIC_TITLE_LENGTH,
                                                             initial_value=draft.title or None,
                                                             placeholder="Checkout is failing for some customers")),
                    InputBlock(block_id=PublicField.STATUS, label="Status",
                               element=StaticSelectElement(action_id=PublicField.STATUS, options=statuses,
                                                           initial_option=status)),
                    InputBlock(block_id=PublicField.TEXT, label="Public update",
                               hint="What customers see, what is being done, when they hear more.",
                               element=PlainTextInputElement(action_id=PublicField.TEXT, multiline=True,
                                                             max_length=SECTION_TEXT, initial_value=text or None)),
                    *components,
                ])
    return view.to_dict()
