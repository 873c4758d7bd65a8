"""The retro page in a real browser: sign in, read the figures, pick a service, and look at the page
in light and dark, at desktop and phone width (screenshots under tests/browser/screenshots/)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.browser.test_console_in_a_browser import shoot
from tests.console import CONSOLE_TOKEN, console_running
from tests.integration.retro.history import CONFIG, NOW, build


@pytest.fixture
def retro_console(database_url, engine, fake_slack, clock, servers):
    with Session(engine) as session:
        build(session)
        session.commit()
    clock.set(NOW)
    with console_running(database_url, fake_slack, clock, servers, config=CONFIG) as bot:
        yield bot


def test_the_retro_page(retro_console, browse, screenshots):
    page = browse().new_page()
    page.goto(f"{retro_console.url}/stats")
    page.get_by_label("Console token").fill(CONSOLE_TOKEN)
    page.get_by_role("button", name="Sign in with the token").click()
    page.wait_for_url(f"{retro_console.url}/stats")
    assert page.locator("nav a[aria-current=page]").inner_text() == "Retro"
    weeks = page.locator("tr.week-row")
    assert weeks.count() == 4
    assert weeks.nth(2).locator("td").first.inner_text() == "3"  # week 44: INC-2, 3 and 4
    chart = page.locator("img.chart")
    assert chart.evaluate("img => img.complete && img.naturalWidth > 500")  # the SVG decoded and drew
    shoot(page, screenshots, "stats")

    page.get_by_label("Service").select_option("payments")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"{retro_console.url}/stats?period=4w&service=payments")
    assert page.locator("li.uptime-row").all_inner_texts() == [
        "payments: Week 42: 100.00% · Week 43: 100.00% · Week 44: 100.00% · Week 45: 99.91%"]

    page.get_by_label("Period").fill("last month")
    page.get_by_role("button", name="Show").click()
    assert page.get_by_role("alert").inner_text() == "last month is not a period; use 4w, this week or since 2026-11-01."
    shoot(page, screenshots, "stats-bad-period")
