"""The internal web console (incidents, on call) and signing in to it (Slack, or CONSOLE_TOKEN)."""

from __future__ import annotations

from bot.config import Settings
from bot.console.queries import ConsoleQueries
from bot.features import Feature
from bot.slack.gateway import SlackGateway
from bot.web.app import Web
from bot.web.signin_links import SigninLinks
from handlers.http import auth, console
from handlers.http.auth import SlackSignIn


def feature(queries: ConsoleQueries, settings: Settings, gateway: SlackGateway | None,
            links: SigninLinks | None = None) -> Feature:
    def http(web: Web):
        signin = None
        if settings.slack_client_id and settings.slack_client_secret and gateway is not None:
            signin = SlackSignIn(gateway, settings.slack_client_id, settings.slack_client_secret,
                                 settings.slack_api_url, settings.public_url)
        return [*auth.routes(web.access, web.pages, signin, links), *console.routes(web.access, web.pages, queries)]

    return Feature("console", routes=http)
