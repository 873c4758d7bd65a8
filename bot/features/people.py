"""The people directory's one listener: Slack's ``user_change`` event updates a person at once."""

from __future__ import annotations

from slack_bolt import App

from bot.features import Feature
from bot.people import PeopleDirectory
from handlers.slack import people as listeners


def feature(directory: PeopleDirectory) -> Feature:
    def slack(app: App) -> None:
        listeners.register(app, directory)

    return Feature("people", slack=slack)
