"""``GET /stats``: the retro figures on the console, against the fixed history; and its bad input."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy.orm import Session

from tests.console import CONSOLE_TOKEN, Browserless, console_running
from tests.integration.retro.history import CONFIG, NOW, build
from tests.people import assert_named, read_twice, visible


@pytest.fixture
def reader(engine, database_url, fake_slack, clock, servers):
    with Session(engine) as session:
        build(session)
        session.commit()
    clock.set(NOW)
    with console_running(database_url, fake_slack, clock, servers, config=CONFIG) as bot:
        client = Browserless(bot.url)
        assert client.get("/stats").status == 303  # anonymous: to sign-in
        assert client.post("/auth/signin", {"token": CONSOLE_TOKEN}).status == 303
        client.settle = bot.settle
        yield client


def rows(html: str, kind: str) -> list[str]:
    found = re.findall(rf'<(?:tr|li) class="{kind}">(.*?)</(?:tr|li)>', html, re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in found]


def test_week_by_week(reader):
    page = read_twice(reader, lambda: reader.get("/stats?period=since+2026-10-19"))
    assert page.status == 200
    assert_named(visible(page.body), ["U01ALICE", "U02BOB", "U03CAROL"])
    assert rows(page.body, "week-row") == [
        "Week 43 19 Oct 1 0 0 5m / 5m 40m / 40m 1h 20m / 1h 20m sev1 1 checkout 1",
        "Week 44 26 Oct 3 1 1 3m / 8m 36s 1h / 1h 24m 1h / 2h 12m sev1 1 · sev2 1 · sev3 1 checkout 2 · payments 1",
        "Week 45 02 Nov 1 0 0 10m / 10m 30m / 30m 1h / 1h sev2 1 payments 1",
    ]
    assert rows(page.body, "person-row") == ["Week 43 Борис Петров 1 1", "Week 44 Борис Петров 2 1",
                                             "Week 44 李嘉欣 1 1", "Week 45 Alice Ångström 1 0"]
    assert rows(page.body, "uptime-row") == ["checkout : Week 43: 99.90% · Week 44: 99.58% · Week 45: 99.50%",
                                             "payments : Week 43: 100.00% · Week 44: 100.00% · Week 45: 99.91%"]
    assert rows(page.body, "day-row") == ["2026-10-25 checkout 97.33%", "2026-10-26 checkout 90.97%",
                                          "2026-11-02 payments 97.92%"]
    assert 'src="data:image/svg+xml;base64,' in page.body
    assert 'href="/stats/pages.csv?since=2026-10-19&amp;until=2026-11-04"' in page.body


def test_one_service(reader):
    page = reader.get("/stats?period=4w&service=payments")
    assert [row.split()[:5] for row in rows(page.body, "week-row")] == [
        ["Week", "42", "12", "Oct", "0"], ["Week", "43", "19", "Oct", "0"], ["Week", "44", "26", "Oct", "1"],
        ["Week", "45", "02", "Nov", "1"]]
    assert [row.split()[0] for row in rows(page.body, "uptime-row")] == ["payments"]


@pytest.mark.parametrize(("query", "says"), [
    ("period=last+month", "last month is not a period; use 4w, this week or since 2026-11-01."),
    ("period=since+1%2F11", "1/11 is not a date; write it as 2026-11-01."),
    ("service=nosuch", "nosuch is not a service; one of checkout, payments."),
])
def test_bad_input_is_named_on_the_page(reader, query, says):
    page = reader.get(f"/stats?{query}")
    assert page.status == 400
    assert says in unescape(page.body)
