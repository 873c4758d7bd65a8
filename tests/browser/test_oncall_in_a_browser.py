"""The console's ``/oncall`` in a real browser: a schedule of two layers with an override, time off, an
open cover request and a weekend nobody covers, its two-week calendar read cell by cell, at desktop and
phone width, light and dark (screenshots under tests/browser/screenshots/)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session

from models.oncall import CoverRequest, Override, TimeOff
from tests.browser.conftest import VIEWPORTS
from tests.browser.test_pages_fit import fits, sign_in
from tests.console import console_running
from tests.integration.status.forms import CONFIG

NOW = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)  # a Monday
WEEKDAYS = {"days": "mon-fri", "start": "09:00", "end": "18:00"}
NIGHTS = {"days": "mon-fri", "start": "18:00", "end": "09:00"}
LAYERED = {"schedules": {"follow-the-sun": {"layers": [
    {"name": "days", "rotation": "daily", "handoff": "09:00", "members": ["U01ALICE", "U02BOB"], "hours": WEEKDAYS},
    {"name": "nights", "rotation": "weekly", "handoff": "mon 18:00", "members": ["U03CAROL", "U04DAVE"],
     "hours": NIGHTS},
]}}}


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=timezone.utc)


def rows_of(page) -> dict[str, list[str]]:
    """The calendar's rows by their header: each day's cell as text."""
    found = {}
    for row in page.locator("table.calendar tbody tr").all():
        found[row.locator("th").inner_text()] = row.locator("td").all_inner_texts()
    return found


def test_the_oncall_calendar(database_url, engine, fake_slack, clock, servers, browse, screenshots):
    clock.set(NOW)
    with Session(engine) as session:
        session.add(Override(schedule="follow-the-sun", user_id="U04DAVE", starts_at=at(24, 12), ends_at=at(24, 15),
                             created_by="U01ALICE", created_at=NOW))
        session.add(TimeOff(user_id="U01ALICE", starts_at=at(25, 0), ends_at=at(27, 0), created_at=NOW))
        session.add(CoverRequest(schedule="follow-the-sun", requested_by="U02BOB", starts_at=at(30, 9),
                                 ends_at=at(30, 18), created_at=NOW, channel="C0ONCALL"))
        session.commit()
    with console_running(database_url, fake_slack, clock, servers, config={**CONFIG, **LAYERED}) as console:
        page = browse().new_page()
        sign_in(page, console.url)
        page.goto(f"{console.url}/oncall")  # the first view asks Slack for the names in the background
        console.settle()
        page.goto(f"{console.url}/oncall")

        card = page.locator("section.schedule")
        assert card.locator("h2").inner_text() == "follow-the-sun"
        assert "Alice Ångström" in card.locator("p.now").inner_text() or "Борис Петров" in card.locator("p.now").inner_text()
        assert [li.split(":")[0] for li in card.locator("li.layer-now").all_inner_texts()] == ["days", "nights"]
        assert "no one on call" in card.locator("ul.findings").inner_text()

        heads = page.locator("table.calendar thead th.day").all_inner_texts()
        assert len(heads) == 14 and heads[0].startswith("Mon") and "23 Nov" in heads[0]
        rows = rows_of(page)
        assert list(rows) == ["days", "nights", "On call", "Away", "Cover asked"]
        tue, wed, thu, sat = 1, 2, 3, 5
        assert "Dave O'Brien-Núñez\n12:00–15:00\noverride" in rows["On call"][tue]
        assert "override" not in rows["days"][tue]  # a layer's row is the layer alone
        assert "Борис Петров\n09:00–18:00\nfor Alice Ångström, away" in rows["days"][thu]
        assert "for Alice Ångström, away" in rows["On call"][thu]
        assert rows["On call"][sat + 1] == "gap\nall day"  # Sunday is nobody's
        assert rows["Away"][wed:thu + 1] == ["Alice Ångström\nall day\naway"] * 2
        assert "cover asked #1" in rows["Cover asked"][7] and "Борис Петров" in rows["Cover asked"][7]
        gap = page.locator("table.calendar tr.row-rota .piece.mark-gap").first
        assert gap.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"  # marked, not plain

        fits(page, "oncall-calendar", screenshots)
        page.set_viewport_size(VIEWPORTS["phone"])
        scroller = page.locator("table.calendar")
        assert scroller.evaluate("e => e.scrollWidth > e.clientWidth"), "on a phone the calendar scrolls in its card"
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
