"""The console and the status page in a real browser: sign in through the fake Slack's OpenID flow,
follow an incident from declared to resolved, see each page change, and look at each page in
light and dark, at desktop and phone width (screenshots under tests/browser/screenshots/)."""

from __future__ import annotations

import re

from tests.browser.conftest import VIEWPORTS
from tests.integration.helpers import in_channel
from tests.integration.status.forms import declare_form, public_form

INTERNAL_TITLE = "Primary DB lost quorum after deploy 4711"
INTERNAL_UPDATE = "Rolled back 4711; promoting the eu-west replica by hand"
PUBLIC_TITLE = "Payments failing for some customers"
PUBLIC_UPDATE = "Some card payments fail. We have found the cause and are fixing it."


# Two animation frames after a resize: a screenshot taken sooner showed the calendar's sticky row
# labels unpainted at phone width, though they were there and on top.
PAINTED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def shoot(page, screenshots, name: str) -> None:
    """The page in light and dark, at desktop and phone width."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            page.evaluate(PAINTED)
            page.screenshot(path=str(screenshots / f"{name}-{scheme}-{width}.png"), full_page=True)
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(VIEWPORTS["desktop"])


def sign_in_with_slack(page, console, screenshots) -> None:
    page.goto(f"{console.url}/incidents")
    assert re.search(r"/auth/signin\?next=/incidents$", page.url)
    shoot(page, screenshots, "signin")
    page.get_by_role("button", name="Sign in with Slack").click()
    page.get_by_role("button", name="Continue as alice").click()
    page.wait_for_url(f"{console.url}/incidents")
    assert page.locator(".who").inner_text() == "Alice Ångström"


def test_an_incident_from_declared_to_resolved(console, browse, fake_slack, screenshots):
    team = browse().new_page()
    sign_in_with_slack(team, console, screenshots)
    assert "No incident yet" in team.content()

    row = declare_form(console, INTERNAL_TITLE, severity="sev1", service="checkout")
    in_channel(console, f"update {INTERNAL_UPDATE}", row)
    team.reload()
    listed = team.locator(".incident-row").first
    assert INTERNAL_TITLE in listed.inner_text() and "unacknowledged" in listed.inner_text()
    shoot(team, screenshots, "incidents")
    listed.locator("a").click()
    team.wait_for_url(f"{console.url}/incidents/{row.id}")
    assert INTERNAL_UPDATE in team.locator("#updates").locator("..").inner_text()
    assert "Not on the status page" in team.content()

    public = browse().new_page()  # an anonymous visitor
    public.goto(f"{console.url}/status")
    assert public.locator(".overall h1").inner_text() == "All systems operational"
    shoot(public, screenshots, "status-operational")

    public_form(console, row.id, PUBLIC_UPDATE, title=PUBLIC_TITLE, status="identified",
                components={"Checkout": "major_outage", "Search": "degraded_performance"})
    public.reload()
    assert public.locator(".overall h1").inner_text() == "Major outage"
    active = public.locator(".public-incident").inner_text()
    assert PUBLIC_TITLE in active and PUBLIC_UPDATE in active and "Identified" in active
    text = public.content()
    assert INTERNAL_TITLE not in text and INTERNAL_UPDATE not in text and "4711" not in text
    shoot(public, screenshots, "status-outage")

    team.reload()
    assert PUBLIC_TITLE in team.content()
    shoot(team, screenshots, "incident-open")

    in_channel(console, "resolve Failover done; quorum bug 4711 filed", row)
    team.reload()
    assert "resolved" in team.locator(".badges").inner_text()
    shoot(team, screenshots, "incident-resolved")
    public.reload()
    assert public.locator(".overall h1").inner_text() == "All systems operational"
    past = public.locator(".past-incident").inner_text()
    assert PUBLIC_TITLE in past and "This incident has been resolved." in past and "4711" not in public.content()
    shoot(public, screenshots, "status-resolved")

    team.goto(f"{console.url}/oncall")
    assert "platform-primary" in team.content()
    shoot(team, screenshots, "oncall")
    team.goto(f"{console.url}/incidents/9999")
    assert "There is no incident INC-9999" in team.content()
    shoot(team, screenshots, "not-found")


def test_internal_pages_refuse_an_anonymous_visitor(console, browse):
    page = browse().new_page()
    for path in ("/", "/incidents", "/incidents/1", "/oncall"):
        page.goto(f"{console.url}{path}")
        assert "/auth/signin" in page.url, path
        assert page.get_by_role("heading", name="Sign in").is_visible()


def test_the_keyboard_reaches_sign_in_and_the_filters(console, browse):
    page = browse().new_page()
    page.goto(f"{console.url}/auth/signin")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_label("Console token").fill("console-token-for-tests")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{console.url}/")
    page.get_by_label("Title").fill("nothing like this")
    page.get_by_label("Title").press("Enter")
    page.wait_for_url(lambda url: "q=nothing+like+this" in url)  # and its load: the URL changes first
    assert "q=nothing+like+this" in page.url and "0 incidents match" in page.content()
