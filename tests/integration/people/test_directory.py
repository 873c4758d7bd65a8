"""The people directory: names from users.info, looked up in the background, once per person, kept a
day, replaced at once by ``user_change``; a person Slack no longer knows keeps their last name."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from bot.people import PeopleDirectory
from bot.slack.people import PeopleLookup
from tests.conftest import GONE
from tests.console import CONSOLE_TOKEN, Browserless, console_running
from tests.integration.helpers import in_channel
from tests.integration.status.forms import CONFIG, declare_form
from tests.people import NAMES, assert_named, bare_ids, read_twice, visible

ALICE, BOB, CAROL, DAVE = "U01ALICE", "U02BOB", "U03CAROL", "U04DAVE"


@pytest.fixture
def console(database_url, engine, fake_slack, clock, servers):
    with console_running(database_url, fake_slack, clock, servers, config=CONFIG) as bot:
        yield bot


@pytest.fixture
def reader(console):
    client = Browserless(console.url)
    client.post("/auth/signin", {"token": CONSOLE_TOKEN})
    return client


def looked_up(fake) -> list[str]:
    return [call.args["user"] for call in fake.calls_to("users.info")]


def test_a_page_shows_what_is_known_and_each_person_is_looked_up_once(console, reader, fake_slack):
    row = declare_form(console, "Checkout down", severity="sev1")
    first = visible(reader.get(f"/incidents/{row.id}").body)
    assert ALICE in first, "before Slack has answered, the id (the page did not wait)"
    console.settle()
    for _ in range(3):
        page = visible(reader.get(f"/incidents/{row.id}").body)
    assert_named(page, [ALICE])
    assert looked_up(fake_slack).count(ALICE) == 1


def test_the_worker_asks_ahead_so_that_the_first_view_already_names_everyone(console, reader, fake_slack):
    row = declare_form(console, "Checkout down", severity="sev1")
    console.settle()
    assert looked_up(fake_slack) == [], "nobody has viewed a page yet"
    [ahead] = [job for feature in console.ctx.features for job in feature.jobs if job.name == "people-ahead"]
    ahead.run()
    console.settle()
    assert_named(visible(reader.get(f"/incidents/{row.id}").body), [ALICE])
    ahead.run()
    console.settle()
    assert looked_up(fake_slack).count(ALICE) == 1, "known and fresh: not asked again"


def test_a_page_view_never_waits_for_slack(console, reader, fake_slack):
    fake_slack.set_latency("users.info", 5.0)
    row = declare_form(console, "Checkout down", severity="sev1")
    started = time.monotonic()
    assert reader.get(f"/incidents/{row.id}").status == 200
    assert time.monotonic() - started < 4, "users.info takes 5 s here; the page is answered without it"
    fake_slack.set_latency("users.info", 0.0)


def test_names_older_than_a_day_are_looked_up_again_and_shown_meanwhile(console, reader, fake_slack, clock):
    row = declare_form(console, "Checkout down", severity="sev1")
    read_twice(console, lambda: reader.get(f"/incidents/{row.id}"))
    clock.advance(timedelta(hours=23))
    reader.get(f"/incidents/{row.id}")
    console.settle()
    assert looked_up(fake_slack).count(ALICE) == 1, "a name from 23 hours ago is fresh enough"
    fake_slack.add_user(ALICE, name="alice", real_name="Alice Ångström-Berg", tz="Europe/Stockholm")
    clock.advance(timedelta(hours=2))
    stale = visible(reader.get(f"/incidents/{row.id}").body)
    assert "Alice Ångström" in stale and "Ångström-Berg" not in stale, "the old name while Slack is asked"
    console.settle()
    assert looked_up(fake_slack).count(ALICE) == 2
    assert "Alice Ångström-Berg" in visible(reader.get(f"/incidents/{row.id}").body)


def test_user_change_replaces_the_name_zone_and_avatar_at_once(console, reader, fake_slack):
    row = declare_form(console, "Checkout down", severity="sev1")
    read_twice(console, lambda: reader.get(f"/incidents/{row.id}"))
    calls = len(looked_up(fake_slack))
    changed = fake_slack.user_object(ALICE)
    changed["real_name"] = changed["profile"]["real_name"] = "Alicja Åström"
    changed["tz"] = "America/Sao_Paulo"
    changed["profile"]["image_72"] = f"{fake_slack.url}/avatars/u01alice-new-72.svg"
    console.event({"type": "user_change", "user": changed, "cache_ts": 1, "event_ts": "1.000001"})
    page = reader.get(f"/incidents/{row.id}").body
    assert "Alicja Åström" in visible(page) and "u01alice-new-72.svg" in page
    assert str(console.ctx.people.zone_of(ALICE)) == "America/Sao_Paulo"
    assert len(looked_up(fake_slack)) == calls, "the event carries the person: nothing to ask"


def test_a_deactivated_person_and_one_slack_no_longer_knows_keep_their_last_name_marked_gone(console, fake_slack):
    people = console.ctx.people
    people.names([GONE, CAROL])
    console.settle()
    gone = people.people([GONE])[GONE]
    assert (gone.name, gone.gone) == (NAMES[GONE], True)
    fake_slack.remove_user(CAROL)
    console.clock.advance(timedelta(days=2))
    people.names([CAROL])
    console.settle()
    carol = people.people([CAROL])[CAROL]
    assert (carol.name, carol.gone) == ("李嘉欣", True), "users.info says user_not_found: the last name stays"


def test_the_deleted_person_shows_as_gone_on_a_page(console, reader, fake_slack):
    row = declare_form(console, "Checkout down", severity="sev1")
    in_channel(console, f"action Rotate the keys <@{GONE}|seb>", row)
    page = read_twice(console, lambda: reader.get(f"/incidents/{row.id}")).body
    assert "Sébastien Lefèvre" in page and "(left Slack)" in page and bare_ids(visible(page)) == []


def test_look_ups_are_bounded_per_minute_and_queued_once(sessions_factory, fake_slack, clock):
    from bot.slack.gateway import SlackGateway, make_client

    directory = PeopleDirectory(sessions_factory, clock)
    gateway = SlackGateway(make_client("xoxb-test", fake_slack.base_url, backoff=0))
    lookup = PeopleLookup(gateway, directory, per_minute=2)
    directory.asks_with(lookup.ask)
    try:
        directory.names([ALICE, BOB, CAROL, DAVE])
        directory.names([ALICE, BOB, CAROL, DAVE])
        assert lookup.wait_idle(15)
        assert sorted(looked_up(fake_slack)) == [ALICE, BOB], "two a minute: the rest wait for a later page"
        assert directory.names([ALICE, BOB]) == {ALICE: NAMES[ALICE], BOB: NAMES[BOB]}
    finally:
        lookup.shutdown()


@pytest.fixture
def sessions_factory(engine):
    from bot.core.db import make_session_factory

    return make_session_factory(engine)
