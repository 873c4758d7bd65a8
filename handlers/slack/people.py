"""The ``user_change`` event: a person's new name, zone or avatar reaches the directory at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

if TYPE_CHECKING:
    from bot.app import AppContext


def register(app: App, ctx: AppContext) -> None:
    @app.event("user_change")
    def user_change(event: dict) -> None:
        user = event.get("user")
        if isinstance(user, dict) and isinstance(user.get("id"), str):
            ctx.people.record(user)
