"""Events API listeners: a :pushpin: reaction in an incident's channel copies the message into its timeline.

Bolt acks an event before its listener runs, but the listener still runs on Bolt's small
executor: it only looks the channel up and hands the pin (and Slack's read of the message) to the effects' threads.
"""

from __future__ import annotations

from slack_bolt import App

from bot.incidents.service import IncidentService
from handlers.slack.replies import Answers

PIN = "pushpin"


def register(app: App, incidents: IncidentService, answers: Answers) -> None:
    @app.event("reaction_added")
    def reaction_added(event: dict) -> None:
        item = event.get("item") or {}
        if event.get("reaction") != PIN or item.get("type") != "message":
            return
        incident = incidents.of_channel(item["channel"])
        if incident is not None:
            answers.submit(incidents.pin, incident.id, event["user"], item["channel"], item["ts"],
                           answers.notices.read_pinned)
