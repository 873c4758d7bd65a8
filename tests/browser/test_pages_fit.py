"""Every console page fits the screen it is read on: nothing runs past the page's right edge at desktop
or phone width (a table wraps, or scrolls inside its card), people are shown by name with their
avatar, and on a phone the retro chart is the one drawn for a phone. Screenshots of each page, light and
dark, at both widths, under tests/browser/screenshots/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from bot.slack.ids import Action
from tests.browser.conftest import SCHEDULES, VIEWPORTS
from tests.browser.test_console_in_a_browser import shoot
from tests.console import CONSOLE_TOKEN, console_running
from tests.integration.helpers import in_channel
from tests.integration.retro.history import CONFIG as RETRO_CONFIG
from tests.integration.retro.history import NOW, build
from tests.integration.status.forms import CONFIG, declare_form
from tests.people import bare_ids

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const past = [...document.querySelectorAll('main *')].filter(e => {
    const box = e.getBoundingClientRect();
    let clipped = false;  // inside a box that scrolls sideways (the table scrolls within its card)
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) { clipped = true; break; }
    }
    return box.width > 0 && box.right > width + 1 && !clipped;
  }).map(e => e.tagName + '.' + e.className);
  return {page: document.documentElement.scrollWidth - width, past: past.slice(0, 5)};
}"""
TABLES_IN_CARDS = """() => [...document.querySelectorAll('.card table')].filter(t => {
  const card = t.closest('.card').getBoundingClientRect(), box = t.getBoundingClientRect();
  return box.right > card.right + 1;
}).length"""


def sign_in(page, url: str) -> None:
    page.goto(f"{url}/auth/signin")
    page.get_by_label("Console token").fill(CONSOLE_TOKEN)
    page.get_by_role("button", name="Sign in with the token").click()
    page.wait_for_url(f"{url}/")


def fits(page, name: str, screenshots) -> None:
    """At each width: no page-wide sideways scroll, nothing past the edge, every table inside its card."""
    for width, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        found = page.evaluate(OVERFLOW)
        assert found == {"page": 0, "past": []}, f"{name} at {width} width runs past the edge: {found}"
        assert page.evaluate(TABLES_IN_CARDS) == 0, f"{name} at {width}: a table runs out of its card"
    page.set_viewport_size(VIEWPORTS["desktop"])
    assert bare_ids(page.locator("main").inner_text()) == [], f"{name} shows a Slack id"
    shoot(page, screenshots, name)


@pytest.fixture
def retro_console(database_url, engine, fake_slack, clock, servers):
    with Session(engine) as session:
        build(session)
        session.commit()
    clock.set(NOW)
    with console_running(database_url, fake_slack, clock, servers, config=RETRO_CONFIG) as bot:
        yield bot


def test_the_retro_page_fits_a_desktop_and_a_phone(retro_console, browse, screenshots):
    page = browse().new_page()
    sign_in(page, retro_console.url)
    page.goto(f"{retro_console.url}/stats?period=since+2026-09-01")  # ten weeks: the widest table
    assert "Борис Петров" in page.locator("#pager").locator("..").inner_text()
    fits(page, "stats-weeks", screenshots)
    page.set_viewport_size(VIEWPORTS["phone"])
    chart = page.locator("img.chart")
    phone = page.locator("picture source").get_attribute("srcset")
    drawn = "src => { const img = document.querySelector('img.chart'); return img.complete && img.currentSrc === src; }"
    page.wait_for_function(drawn, arg=phone)  # the chart drawn for a phone's width (chosen once the resize lands)
    assert chart.evaluate("img => img.naturalWidth") < 500
    labels = page.locator("table.figures tr.week-row td[data-label]").first
    assert labels.evaluate("td => getComputedStyle(td, '::before').content") == '"Declared: "'
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.wait_for_function("src => document.querySelector('img.chart').currentSrc !== src", arg=phone)


def test_every_console_page_fits_and_names_people(database_url, engine, fake_slack, clock, servers, browse, screenshots):
    with console_running(database_url, fake_slack, clock, servers, config={**CONFIG, **SCHEDULES}) as console:
        row = declare_form(console, "Оплата не работает: card payments fail for everyone in the EU region",
                           severity="sev1", service="checkout")
        console.click(Action.ACKNOWLEDGE, row.id, user="U02BOB")
        in_channel(console, "action Add an EU canary for the payment client <@U03CAROL|carol> p1 due 2030-01-15", row)
        in_channel(console, "action Rotate the keys <@U08SEB|seb>", row)
        in_channel(console, "note Rollback of deploy 4711 started; <@U04DAVE|dave> watches the error rate", row)
        console.ctx.oncall.add_override("platform-primary", "U04DAVE", "U01ALICE", duration=timedelta(hours=2))
        page = browse().new_page()
        sign_in(page, console.url)
        paths = {"incidents": "/incidents", "incident": f"/incidents/{row.id}", "report": f"/incidents/{row.id}/report",
                 "oncall-names": "/oncall"}
        for path in paths.values():  # the first views ask Slack for the people they name, in the background
            page.goto(f"{console.url}{path}")
        console.settle()
        for name, path in paths.items():
            page.goto(f"{console.url}{path}")
            fits(page, f"fit-{name}", screenshots)
        page.goto(f"{console.url}/incidents/{row.id}")
        text = page.locator("main").inner_text()
        assert "Борис Петров" in text and "李嘉欣" in text and "Sébastien Lefèvre (left Slack)" in text
        avatars = page.locator("img.avatar")
        assert avatars.count() > 0
        # Avatars load lazily and after the text: wait (with Playwright's deadline) for the first one drawn.
        avatars.first.scroll_into_view_if_needed()
        page.wait_for_function("() => { const img = document.querySelector('img.avatar'); "
                               "return img.complete && img.naturalWidth > 0; }")
