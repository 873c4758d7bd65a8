"""The on-call calendars: a schedule's feed (signed in) and a person's own (secret token), parsed back with
the icalendar library and checked against the rotation; UIDs stable across fetches and overrides."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar

from bot.core.db import make_session_factory
from models.oncall import Override
from tests.console import CONSOLE_TOKEN, Browserless, console_running
from tests.people import bare_ids, visible

ALICE, BOB, CAROL = "U01ALICE", "U02BOB", "U03CAROL"
CONFIG = {"timezone": "Europe/Rome", "schedules": {
    "primary": {"rotation": "daily", "handoff": "09:00", "members": [ALICE, BOB]},
    "sun": {"layers": [{"name": "days", "members": [CAROL, ALICE], "rotation": "weekly",
                        "hours": {"days": "mon-fri", "start": "09:00", "end": "18:00"}}]},
}}
BEARER = {"Authorization": f"Bearer {CONSOLE_TOKEN}"}


@pytest.fixture
def console(database_url, engine, fake_slack, clock, servers):
    with console_running(database_url, fake_slack, clock, servers, config=CONFIG) as bot:
        yield bot


def events(body: str) -> list:
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def test_a_schedule_feed_is_its_rotation_for_90_days(console):
    answer = Browserless(console.url).get("/oncall/primary.ics", BEARER)
    assert answer.status == 200 and answer.headers["content-type"].startswith("text/calendar")
    found = events(answer.body)
    assert 89 <= len(found) <= 91, "one event a day for 90 days"
    now = console.ctx.clock.now()
    for event in found:
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert start.tzinfo is not None and start.utcoffset() == timedelta(0), "UTC times"
        user = str(event["x-oncall-user"])
        assert console.ctx.oncall.on_call("primary", start + timedelta(minutes=1)) == user
        assert console.ctx.oncall.on_call("primary", end - timedelta(minutes=1)) == user
        assert start.astimezone(console.ctx.config.tz).hour == 9 or start <= now
    assert [e.decoded("dtend") for e in found[:-1]] == [e.decoded("dtstart") for e in found[1:]], "no holes"


def test_uids_are_stable_and_an_override_updates_the_event_in_place(console):
    client = Browserless(console.url)
    before = {str(e["uid"]): str(e["x-oncall-user"]) for e in events(client.get("/oncall/primary.ics", BEARER).body)}
    again = {str(e["uid"]): str(e["x-oncall-user"]) for e in events(client.get("/oncall/primary.ics", BEARER).body)}
    assert before == again
    day = console.ctx.oncall.who("primary").next  # tomorrow's whole shift, from its handoff
    other = ALICE if day.user == BOB else BOB
    with make_session_factory(console.ctx.engine).begin() as session:
        session.add(Override(schedule="primary", user_id=other, starts_at=day.start, ends_at=day.end,
                             created_by=other, created_at=console.ctx.clock.now()))
    after = {str(e["uid"]): str(e["x-oncall-user"]) for e in events(client.get("/oncall/primary.ics", BEARER).body)}
    changed = [uid for uid in before if after.get(uid) != before[uid]]
    assert len(changed) == 1 and after[changed[0]] == other, "the same UID, now someone else's"


def test_a_layered_schedule_feed_has_only_the_hours_it_covers(console):
    found = events(Browserless(console.url).get("/oncall/sun.ics", BEARER).body)
    assert found and all(e.decoded("dtend") - e.decoded("dtstart") <= timedelta(hours=9) for e in found)
    assert "layer days" in str(found[0]["description"])


def test_feeds_need_a_sign_in_and_a_known_schedule(console):
    client = Browserless(console.url)
    assert client.get("/oncall/primary.ics").status == 401
    assert client.get("/oncall/nosuch.ics", BEARER).status == 404


def test_a_personal_feed_is_reached_by_its_token_and_spans_every_schedule(console, fake_slack):
    text = console.command("oncall calendar", user=ALICE).json()["text"]
    url = text.split("90 days ahead: ")[1].split()[0]
    path = url.split(console.ctx.settings.public_url.rstrip("/"), 1)[1]
    assert path.startswith("/oncall/people/U01ALICE.ics?token=")
    assert "/oncall/primary.ics|primary>" in text and "/oncall/sun.ics|sun>" in text
    assert console.command("oncall calendar", user=ALICE).json()["text"] == text, "the token is made once"
    client = Browserless(console.url)
    mine = events(client.get(path).body)
    assert {str(e["x-oncall-user"]) for e in mine} == {ALICE}
    assert {str(e["uid"]).split("-2")[0] for e in mine} == {"primary", "sun"}
    assert client.get(path[:-3] + "xyz").status == 404
    assert client.get("/oncall/people/U01ALICE.ics").status == 404
    assert client.get(path.replace("U01ALICE", "U02BOB")).status == 404, "Alice's token is not Bob's"


# --- fairness: who carries the pager -----------------------------------------------------------------

PAGING = {**CONFIG, "escalation_policies": {"default": {"levels": [{"notify": [{"schedule": "primary"}]}]}}}


def two_pages(bot, clock) -> None:
    """Primary paged on Monday at 10:00 in Rome, and again at 23:30: a night page."""
    bot.command("declare sev1 Checkout is down")
    bot.ctx.timer_worker.tick()
    clock.advance(timedelta(hours=13, minutes=30))
    bot.command("declare sev1 Checkout is down again")
    bot.ctx.timer_worker.tick()
    bot.settle()


def test_oncall_csv_counts_hours_out_of_hours_pages_and_night_pages(database_url, engine, fake_slack, clock, servers):
    with console_running(database_url, fake_slack, clock, servers, config=PAGING) as bot:
        two_pages(bot, clock)
        client = Browserless(bot.url)
        answer = client.get("/stats/oncall.csv?since=2026-11-16&until=2026-11-22", BEARER)
        assert answer.status == 200 and answer.headers["content-type"].startswith("text/csv")
        rows = [line.split(",") for line in answer.body.strip().splitlines()]
        assert rows[0] == ["user_id", "user_name", "schedule", "hours_on_call", "hours_out_of_hours", "pages",
                           "night_pages"]
        primary = [row for row in rows[1:] if row[2] == "primary"]
        assert sorted(float(row[3]) for row in primary) == [81.0, 87.0], "a week of daily 09:00 shifts, split at midnight"
        assert sum(float(row[4]) for row in primary) == 168 - 45, "the week less its 45 business hours"
        bot.settle()  # the first export asked Slack for the names in the background
        named = [line.split(",") for line in client.get("/stats/oncall.csv?since=2026-11-16&until=2026-11-22",
                                                        BEARER).body.strip().splitlines()[1:]]
        assert {row[0]: row[1] for row in named} == {ALICE: "Alice Ångström", BOB: "Борис Петров",
                                                     CAROL: "李嘉欣"}, "user_name from the people directory"
        monday = [line.split(",") for line in client.get("/stats/oncall.csv?since=2026-11-23&until=2026-11-23",
                                                         BEARER).body.strip().splitlines()[1:]]
        paged = {row[0]: (int(row[5]), int(row[6])) for row in monday if row[2] == "primary" and row[5] != "0"}
        assert list(paged.values()) == [(2, 1)], paged
        bad = client.get("/stats/oncall.csv?since=yesterday", BEARER)
        assert bad.status == 400 and '"field":"since"' in bad.body.replace(" ", "")
        assert client.get("/stats/oncall.csv").status == 401


def test_the_stats_page_shows_who_carries_the_pager_by_name(database_url, engine, fake_slack, clock, servers):
    with console_running(database_url, fake_slack, clock, servers, config=PAGING) as bot:
        two_pages(bot, clock)
        clock.advance(timedelta(minutes=1))  # the page is in the past of the period that ends now
        client = Browserless(bot.url)
        client.get("/stats?period=since+2026-11-16", BEARER)
        bot.settle()  # the names asked of Slack in the background
        page = client.get("/stats?period=since+2026-11-16", BEARER)
        assert page.status == 200
        rows = {}
        for row in re.findall(r'<tr class="load-row">(.*?)</tr>', page.body, re.S):
            cells = [" ".join(visible(cell).split()) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            rows[(cells[0].split(" ", 1)[1], cells[1])] = cells[2:]  # less the @handle of its title
        # from 16 Nov 00:00 to now (Mon 23 Nov 23:31 in Rome), business hours Mon-Fri 09:00-17:00:
        # Carol's weekday days of last week in `sun` (45 hours), then Alice's Monday (9); out of hours none
        assert rows[("李嘉欣", "sun")] == ["45.0", "0.0", "0", "0"]
        assert rows[("Alice Ångström", "sun")] == ["9.0", "0.0", "0", "0"]
        primary = {who: cells for (who, schedule), cells in rows.items() if schedule == "primary"}
        assert sum(float(cells[0]) for cells in primary.values()) == 7 * 24 + 23.5, "every hour carried, none ahead"
        assert sorted(cells[2:] for cells in primary.values()) == [["0", "0"], ["2", "1"]], \
            "two pages of primary, one of them at night"
        assert bare_ids(visible(page.body)) == [], "people by name, never a bare id"
        assert 'href="/stats/oncall.csv?since=2026-11-16&amp;until=' in page.body
