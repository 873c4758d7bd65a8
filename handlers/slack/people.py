"""The ``user_change`` event: a person's new name, zone or avatar reaches the directory at once."""

from __future__ import annotations

from slack_bolt import App

from bot.people import PeopleDirectory


def register(app: App, directory: PeopleDirectory) -> None:
    @app.event("user_change")
    def user_change(event: dict) -> None:
        user = event.get("user")
        if isinstance(user, dict) and isinstance(user.get("id"), str):
            directory.record(user)
