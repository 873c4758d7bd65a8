"""Fake providers for pages besides Slack, one of each per run, emptied per test."""

from __future__ import annotations

import pytest

from tests.fakeproviders import FakeNtfy, FakePagerDuty, FakeSmtp, FakeTwilio
from tests.fakeproviders import twilio as fake_twilio


@pytest.fixture(scope="session")
def twilio_server():
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture(scope="session")
def ntfy_server():
    with FakeNtfy() as fake:
        yield fake


@pytest.fixture(scope="session")
def smtp_server():
    with FakeSmtp() as fake:
        yield fake


@pytest.fixture(scope="session")
def pagerduty_server():
    with FakePagerDuty() as fake:
        yield fake


@pytest.fixture
def providers(twilio_server, ntfy_server, smtp_server, pagerduty_server):
    """The three fakes, emptied; the environment that points the bot at them."""
    for fake in (twilio_server, ntfy_server, pagerduty_server):
        fake.reset()
    smtp_server.messages.clear()
    env = {"TWILIO_ACCOUNT_SID": fake_twilio.SID, "TWILIO_AUTH_TOKEN": fake_twilio.TOKEN, "TWILIO_FROM": fake_twilio.FROM,
           "TWILIO_API_URL": twilio_server.url, "NTFY_URL": ntfy_server.url, "SMTP_URL": smtp_server.url,
           "PUBLIC_URL": "https://bot.example.com"}
    yield env
    assert twilio_server.problems == ntfy_server.problems == pagerduty_server.problems == [], \
        "the bot sent requests the providers refuse"
