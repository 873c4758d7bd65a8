"""The app served at the address its PUBLIC_URL names, as Sign in with Slack needs (Slack sends the
browser back to PUBLIC_URL/auth/slack/callback), and a small cookie-keeping HTTP client for it."""

from __future__ import annotations

import http.client
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from bot.app import build_context, create_bolt_app
from bot.config import IncidentConfig, load_settings
from tests.db import shared_engine
from tests.driver import SIGNING_SECRET, Bot, Listeners
from tests.fakeslack.openid import CLIENT_ID, CLIENT_SECRET

CONSOLE_TOKEN = "console-token-for-tests"


@contextmanager
def console_running(database_url, fake, clock, servers, config: dict | None = None) -> Iterator[Bot]:
    """``start_console`` for a test's length: its effects settled and its server given back after."""
    bot = start_console(database_url, fake, clock, servers, config)
    try:
        yield bot
    finally:
        bot.settle()
        bot.close()


def start_console(database_url, fake, clock, servers, config: dict | None = None, **env: str) -> Bot:
    from bot.app import create_web_app

    server = servers.lend(None)
    settings = load_settings({
        "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.base_url, "PUBLIC_URL": server.url, "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET, "CONSOLE_TOKEN": CONSOLE_TOKEN, **env,
    })
    ctx = build_context(settings, IncidentConfig.model_validate(config or {}), clock, slack_backoff=0,
                        engine=shared_engine(database_url))
    bolt = create_bolt_app(ctx)
    listeners = Listeners(bolt)
    server.app = create_web_app(ctx, bolt)
    return Bot(ctx=ctx, url=server.url, fake=fake, server=server, servers=servers, listeners=listeners)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    cookies: list[str]  # Set-Cookie lines
    body: str

    @property
    def location(self) -> str | None:
        return self.headers.get("location")


@dataclass
class Browserless:
    """GETs and POSTs that keep cookies and never follow redirects, so each step can be checked."""

    base: str
    jar: dict[str, str] = field(default_factory=dict)

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self._send("GET", path, None, headers or {})

    def post(self, path: str, form: dict) -> Answer:
        return self._send("POST", path, urllib.parse.urlencode(form),
                          {"Content-Type": "application/x-www-form-urlencoded"})

    def _send(self, method: str, path: str, body: str | None, headers: dict) -> Answer:
        parts = urllib.parse.urlsplit(self.base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        if self.jar:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.jar.items()), **headers}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        set_cookies = response.headers.get_all("set-cookie") or []
        for line in set_cookies:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or morsel.value in ("", '""'):
                    self.jar.pop(name, None)
                else:
                    self.jar[name] = morsel.value
        answer = Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, set_cookies,
                        response.read().decode())
        connection.close()
        return answer
