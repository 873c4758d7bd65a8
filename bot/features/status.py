"""The public status page: ``/incident public``, its form and button, and ``/status`` (HTML, JSON, Atom)."""

from __future__ import annotations

from slack_bolt import App

from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.features import Feature
from bot.slack.blocks import Rendering
from bot.status.service import StatusService
from bot.web.app import Web
from bot.web.status_cache import StatusCache
from bot.web.status_formats import status_formats
from handlers.http import status as routes
from handlers.slack import actions, views
from handlers.slack.replies import Answers
from handlers.slack.status_commands import StatusListeners


def feature(status: StatusService, config: IncidentConfig, clock: Clock, rendering: Rendering, public_url: str,
            answers: Answers | None) -> Feature:
    def slack(app: App) -> None:
        actions.register_public(app, answers)
        views.register_public(app, status, [component.name for component in config.status_page.components], answers)

    def http(web: Web):
        return routes.routes(StatusCache(status, clock, status_formats(web.pages, public_url)))

    return Feature("status", commands=StatusListeners(status, rendering, answers).listeners(), slack=slack, routes=http)
