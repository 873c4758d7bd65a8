"""The heartbeats page in a real browser, light and dark, desktop and phone (screenshots under tests/browser/screenshots/)."""

from __future__ import annotations

from datetime import timedelta

from tests.browser.test_console_in_a_browser import shoot
from tests.console import CONSOLE_TOKEN, start_console
from tests.integration.paging.test_paging import ON_CALL

BEATS = {**ON_CALL, "services": {**ON_CALL["services"], "monitoring": {}}, "heartbeats": {
    "nightly-backup": {"every": "1d", "grace": "1h", "service": "checkout", "severity": "sev3"},
    "payments-canary": {"every": "5m", "grace": "2m", "service": "checkout", "severity": "sev2"},
    "invoice-export": {"every": "1h", "service": "checkout"},
}, "alerts": {"watchdog": {"every": "5m", "grace": "5m", "service": "monitoring", "severity": "sev2"}}}


def test_the_heartbeats_page_shows_each_state(database_url, engine, fake_slack, clock, servers, browse, screenshots):
    bot = start_console(database_url, fake_slack, clock, servers, BEATS)
    try:
        bot.ctx.heartbeats.check_in("payments-canary")
        bot.ctx.heartbeats.check_in("watchdog")
        bot.clock.advance(timedelta(minutes=8))
        bot.ctx.timer_worker.tick()
        bot.ctx.heartbeats.check_in("nightly-backup")
        bot.ctx.heartbeats.check_in("watchdog")
        page = browse().new_page()
        page.goto(f"{bot.url}/auth/signin?next=/heartbeats")
        page.fill("input[name=token]", CONSOLE_TOKEN)
        page.locator("input[name=token]").press("Enter")
        page.wait_for_url(f"{bot.url}/heartbeats")
        rows = {row.locator("th").inner_text(): row.get_attribute("class") for row in page.locator("tbody tr").all()}
        assert rows == {"nightly-backup": "heartbeat-ok", "payments-canary": "heartbeat-late",
                        "invoice-export": "heartbeat-waiting", "watchdog": "heartbeat-ok"}
        assert page.get_by_role("link", name="Heartbeats").get_attribute("aria-current") == "page"
        shoot(page, screenshots, "heartbeats")
    finally:
        bot.settle()
        bot.close()
