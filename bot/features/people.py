"""The people directory: Slack's ``user_change`` event updates a person at once, and the worker asks
ahead for everyone the rows and schedules name (``bot.people.ahead``)."""

from __future__ import annotations

from slack_bolt import App

from bot.config import IncidentConfig
from bot.features import Every, Feature
from bot.people import PeopleDirectory
from bot.people.ahead import EVERY_SECONDS
from handlers.slack import people as listeners


def feature(directory: PeopleDirectory, config: IncidentConfig) -> Feature:
    def slack(app: App) -> None:
        listeners.register(app, directory)

    return Feature("people", slack=slack, jobs=[Every("people-ahead", EVERY_SECONDS, lambda: directory.ask_ahead(config))])
