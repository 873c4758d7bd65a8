"""Incidents themselves: declaring (command and form) and drills, moving, roles, paging a service or a person,
notes and :pushpin:, the timeline; stakeholder updates, subscribing and snoozing, and their nags."""

from __future__ import annotations

from slack_bolt import App

from bot.comms.updates import COMMS_ASK, NAG, UpdateService
from bot.config import IncidentConfig
from bot.features import Feature
from bot.incidents.service import IncidentService
from bot.slack.blocks import Rendering
from handlers.slack import actions, events, views
from handlers.slack.incident_commands import IncidentListeners
from handlers.slack.replies import Answers


def feature(incidents: IncidentService, updates: UpdateService, config: IncidentConfig, rendering: Rendering,
            answers: Answers) -> Feature:
    def slack(app: App) -> None:
        actions.register(app, incidents, updates, answers)
        views.register(app, incidents, answers)
        views.register_update(app, incidents, answers)
        events.register(app, incidents, answers)

    return Feature(
        "incidents",
        commands=IncidentListeners(incidents, config, rendering, answers).listeners(),
        slack=slack,
        timers={NAG: updates.fire_nag, COMMS_ASK: updates.fire_comms_ask},
    )
