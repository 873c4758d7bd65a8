"""The import command run in-process against the fake pagers and the fake Slack, at a fixed moment."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.config import load_config, load_settings
from bot.importing.cli import run
from tests.fakeproviders.grafana_oncall import FakeGrafanaOnCall
from tests.fakeproviders.opsgenie import FakeOpsgenie
from tests.fakeproviders.pagerduty_rest import FakePagerDutyRest

NOW = datetime(2026, 12, 3, 14, 20, tzinfo=timezone.utc)  # a Thursday


@dataclass
class Outcome:
    status: int
    out: str
    err: str
    path: Path

    def config(self):
        return load_config(self.path)


@pytest.fixture
def run_import(tmp_path, fake_slack, database_url, engine, capsys):
    """``run_import("pagerduty", "--token", T, "--url", URL, ...)``: the exit status and what it printed."""

    def go(*argv: str, slack_token: str | None = "xoxb-import", now: datetime = NOW, database: str | None = None) -> Outcome:
        environ = {"SLACK_API_URL": fake_slack.base_url, "DATABASE_URL": database or database_url,
                   "INCIDENT_CONFIG": str(tmp_path / "incidents.yaml")}
        if slack_token:
            environ["SLACK_BOT_TOKEN"] = slack_token
        capsys.readouterr()
        status = run(list(argv), load_settings(environ), now=now)
        captured = capsys.readouterr()
        return Outcome(status, captured.out, captured.err, tmp_path / "incidents.yaml")

    return go


@pytest.fixture(scope="session")
def pagerduty_rest() -> Iterator[FakePagerDutyRest]:
    with FakePagerDutyRest() as server:
        yield server


@pytest.fixture
def pagerduty(pagerduty_rest) -> Iterator[FakePagerDutyRest]:
    pagerduty_rest.reset()
    yield pagerduty_rest
    assert pagerduty_rest.problems == [] or all("401" in p or "Authentication" in p for p in pagerduty_rest.problems)


@pytest.fixture(scope="session")
def opsgenie_server() -> Iterator[FakeOpsgenie]:
    with FakeOpsgenie() as server:
        yield server


@pytest.fixture
def opsgenie(opsgenie_server) -> Iterator[FakeOpsgenie]:
    opsgenie_server.reset()
    yield opsgenie_server


@pytest.fixture(scope="session")
def grafana_server() -> Iterator[FakeGrafanaOnCall]:
    with FakeGrafanaOnCall() as server:
        yield server


@pytest.fixture
def grafana(grafana_server) -> Iterator[FakeGrafanaOnCall]:
    grafana_server.reset()
    yield grafana_server
