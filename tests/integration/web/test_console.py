"""The internal web console: the incident list and its filters, one incident, on call, and bad input."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.slack.ids import Action
from tests.console import CONSOLE_TOKEN, Browserless, console_running, start_console
from tests.integration.helpers import announcement, in_channel, summary
from tests.integration.status.forms import CONFIG, declare_form, public_form
from tests.people import assert_named, bare_ids, read_twice, visible

SCHEDULES = {"schedules": {"primary": {"rotation": "daily", "handoff": "09:00", "members": ["U01ALICE", "U02BOB"]},
                           "secondary": {"rotation": "weekly", "handoff": "mon 09:00", "members": ["U03CAROL"]}}}


@pytest.fixture
def console(database_url, engine, fake_slack, clock, servers):
    with console_running(database_url, fake_slack, clock, servers, config={**CONFIG, **SCHEDULES}) as bot:
        yield bot


@pytest.fixture
def reader(console) -> Browserless:
    client = Browserless(console.url)
    assert client.post("/auth/signin", {"token": CONSOLE_TOKEN}).status == 303
    return client


def titles(page: str) -> list[str]:
    return [chunk.split("</span>")[0] for chunk in page.split('<span class="title">')[1:]]


def test_the_list_shows_open_incidents_first_and_filters(console, reader, fake_slack):
    old = declare_form(console, "Search is slow", severity="sev3", service="search")
    in_channel(console, "resolve", old)
    declare_form(console, "Checkout degraded", severity="sev2")
    declare_form(console, "Checkout down", severity="sev1")
    assert titles(reader.get("/").body) == ["Checkout down", "Checkout degraded", "Search is slow"]
    assert titles(reader.get("/incidents?status=resolved").body) == ["Search is slow"]
    assert titles(reader.get("/incidents?status=open&severity=sev2").body) == ["Checkout degraded"]
    assert titles(reader.get("/incidents?service=search").body) == ["Search is slow"]
    assert titles(reader.get("/incidents?q=DOWN").body) == ["Checkout down"]
    assert titles(reader.get("/incidents?q=%25").body) == []  # a wildcard is searched as typed


def test_parameters_of_the_wrong_type_are_ignored(console, reader):
    declare_form(console, "Checkout down", severity="sev1")
    for query in ("page=abc", "page=-3", "page=99999999999", "status=exploded", "severity=sev9&q=", "page=1&page=x"):
        answer = reader.get(f"/incidents?{query}")
        assert answer.status == 200 and titles(answer.body) == ["Checkout down"], query


def test_one_incident_whole(console, reader, fake_slack):
    row = declare_form(console, "Checkout <script>alert(1)</script>", severity="sev1")
    in_channel(console, "update Card payments fail & we <b>rolled back</b>", row)
    console.click(Action.TAKE_COMMS, row.id, user="U02BOB")
    console.click(Action.ACKNOWLEDGE, row.id, user="U01ALICE")
    console.settle()
    public_form(console, row.id, "Payments are failing.", title="Payment trouble")
    page = read_twice(console, lambda: reader.get(f"/incidents/{row.id}")).body
    assert "<script>alert(1)" not in page and "Checkout &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Card payments fail &amp; we &lt;b&gt;rolled back&lt;/b&gt;" in page
    assert_named(visible(page), ["U01ALICE", "U02BOB"])
    assert f'class="avatar" src="{fake_slack.url}/avatars/u02bob-72.svg"' in page
    for part in ("Summary", "Roles", "Communication Lead", "Борис Петров", "Pages and acknowledgements", "Timeline",
                 "Payment trouble", "Payments are failing.", f'href="/incidents/{row.id}/report"',
                 f"https://slack.com/app_redirect?channel={row.channel_id}"):
        assert part in page, part


def test_an_incident_page_lists_its_action_items_open_and_done(console, reader):
    row = declare_form(console, "Checkout down", severity="sev1")
    assert in_channel(console, "action Alert on queue depth & latency <@U02BOB|bob> p1 due 2030-01-15", row)[
        "text"].startswith("Added action item 1")
    assert in_channel(console, "action Write the runbook", row)["text"].startswith("Added action item 2")
    in_channel(console, "action done 2", row)
    page = read_twice(console, lambda: reader.get(f"/incidents/{row.id}")).body
    section = page[page.index('id="actions"'):page.index('id="timeline"')]
    assert "Alert on queue depth &amp; latency" in section and "Борис Петров" in section and "2030-01-15" in section
    assert "<s>Write the runbook</s>" in section and "done " in section
    assert section.index("Alert on") < section.index("Write the runbook")


def test_an_incident_without_action_items_says_how_to_add_one(console, reader):
    row = declare_form(console, "Checkout down", severity="sev1")
    assert "No action items yet" in reader.get(f"/incidents/{row.id}").body


def test_inc_numbers_redirect_and_unknown_ones_are_404(console, reader):
    row = declare_form(console, "Checkout down", severity="sev1")
    moved = reader.get(f"/incidents/INC-{row.id}")
    assert (moved.status, moved.location) == (301, f"/incidents/{row.id}")
    assert reader.get("/incidents/INC-999").location == "/incidents/999"
    for path in ("/incidents/999", "/incidents/abc", "/incidents/12x", "/incidents/%3Cscript%3E"):
        missing = reader.get(path)
        assert missing.status == 404 and "Not found" in missing.body and "<script>" not in missing.body, path


def test_slack_links_lead_to_the_incident_page(console, reader, fake_slack):
    row = declare_form(console, "Checkout down", severity="sev1")
    url = f"{console.url}/incidents/{row.id}"
    assert url in json.dumps(summary(console, fake_slack, row.id)["blocks"])
    assert url in json.dumps(announcement(console, fake_slack, row.id)["blocks"])


def test_on_call_now_next_and_overrides_ahead(console, reader, fake_slack):
    console.ctx.oncall.add_override("primary", "U04DAVE", "U01ALICE", duration=timedelta(hours=2))
    page = read_twice(console, lambda: reader.get("/oncall")).body
    assert page.count('<section class="card schedule"') == 2
    primary = page[page.index("primary"):page.index("secondary")]
    assert bare_ids(visible(page)) == []
    assert "Dave O&#39;Brien-Núñez" in primary and "Overrides ahead" in primary and "override" in primary
    assert "Next" in primary


def test_on_call_without_schedules_says_how_to_add_one(database_url, engine, fake_slack, clock, servers):
    bot = start_console(database_url, fake_slack, clock, servers)
    try:
        client = Browserless(bot.url)
        client.post("/auth/signin", {"token": CONSOLE_TOKEN})
        assert "No on-call schedule is configured" in client.get("/oncall").body
    finally:
        bot.close()
