"""Headless Chromium (Debian's package) driven by Playwright, against the real app and the fake Slack.

Playwright never downloads a browser here: it launches /usr/bin/chromium (``.ci/run`` installs
Debian's ``chromium`` when it is missing), once per test process; every ``browse()`` is a context of its
own in it (its own cookies and storage, as a fresh profile has), which spares a Chromium start each.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.console import console_running
from tests.integration.status.forms import CONFIG

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCHEDULES = {"schedules": {"platform-primary": {"rotation": "daily", "handoff": "09:00",
                                                "members": ["U01ALICE", "U02BOB"]}}}
TIMEOUT_MS = 90_000
"""Every wait in a page: an upper bound (Playwright's own 30 s is short for Chromium on a starved machine)."""
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="session")
def playwright():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run should have installed Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright):
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def browse(chromium) -> Iterator:
    """``browse()``: a new browser context, sharing nothing with any other (its own cookies)."""
    opened = []

    def launch():
        context = chromium.new_context(viewport=VIEWPORTS["desktop"], color_scheme="light", timezone_id="UTC")
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        return context

    yield launch
    for context in opened:
        context.close()


@pytest.fixture
def console(database_url, engine, fake_slack, clock, servers):
    with console_running(database_url, fake_slack, clock, servers, config={**CONFIG, **SCHEDULES}) as bot:
        yield bot


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
