"""The public status page: what customers read, and what never reaches them."""

from __future__ import annotations

import gzip
from datetime import timedelta

import feedparser
import pytest

from bot.slack.ids import Action, PublicField
from tests.driver import http
from tests.integration.helpers import channel_posts, declare, in_channel
from tests.integration.status.forms import CONFIG, declare_form, public_form

INTERNAL = "Primary DB in eu-west lost quorum after the 14:02 deploy"


@pytest.fixture
def bot(make_bot, fake_slack):
    return make_bot(config=CONFIG)


def status(bot, path: str = "/status", **headers):
    return http("GET", f"{bot.url}{path}", headers=headers)


def test_an_internal_incident_stays_off_the_page(bot, fake_slack):
    declare_form(bot, INTERNAL, severity="sev1")
    page = status(bot).body.decode()
    assert "All systems operational" in page and INTERNAL not in page
    assert status(bot, "/status.json").json()["incidents"] == []


def test_the_first_public_update_asks_for_a_public_title(bot, fake_slack):
    row = declare_form(bot, INTERNAL, severity="sev1")
    in_channel(bot, "public We are looking into failed payments.", row)
    [opened] = [v for v in fake_slack.views if v["view"]["callback_id"] == "incident_public"]
    blocks = {b["block_id"]: b for b in opened["view"]["blocks"]}
    assert blocks[PublicField.TEXT]["element"]["initial_value"] == "We are looking into failed payments."
    assert "initial_value" not in blocks[PublicField.TITLE]["element"]  # never the internal title
    assert blocks[f"{PublicField.COMPONENT}0"]["element"]["initial_option"]["value"] == "major_outage"
    assert "All systems operational" in status(bot).body.decode()  # nothing published yet


def test_a_public_update_shows_its_words_only(bot, fake_slack):
    row = declare_form(bot, INTERNAL, severity="sev1")
    in_channel(bot, "update Rolled back the deploy, replica promoted by hand", row)
    response = public_form(bot, row.id, "Some payments fail. We are on it.", title="Payments failing",
                           components={"Checkout": "partial_outage"})
    assert response.status == 200 and response.body in (b"", b"null"), response.body
    page = status(bot).body.decode()
    assert "Payments failing" in page and "Some payments fail. We are on it." in page
    assert "Partial outage" in page
    assert INTERNAL not in page and "replica promoted" not in page
    in_channel(bot, "public Fix identified, rolling out.", row)  # with a title given, posted at once
    page = status(bot).body.decode()
    assert "Fix identified, rolling out." in page
    assert any("Status page" in p and "Fix identified" in p for p in channel_posts(bot, fake_slack))


def test_declared_with_public_impact_it_is_on_the_page_at_once(bot, fake_slack):
    declare_form(bot, INTERNAL, severity="sev2", public=True)
    summary = status(bot, "/status.json").json()
    [incident] = summary["incidents"]
    assert incident["name"] == "Investigating issues with Checkout" and incident["status"] == "investigating"
    assert {c["name"]: c["status"] for c in summary["components"]} == {"Checkout": "partial_outage",
                                                                        "Search": "operational"}
    assert summary["status"] == {"indicator": "major", "description": "Partial outage"}
    assert INTERNAL not in status(bot).body.decode()


def test_resolution_ends_it_publicly_without_the_internal_summary(bot, fake_slack):
    row = declare_form(bot, INTERNAL, severity="sev1", public=True)
    public_form(bot, row.id, "Checkout is down.", title="Checkout unavailable", components={"Checkout": "major_outage"})
    in_channel(bot, "resolve Failed over to the standby, root cause is the quorum bug", row)
    page = status(bot).body.decode()
    assert "All systems operational" in page
    past = page[page.index("Past incidents"):]
    assert "Checkout unavailable" in past and "This incident has been resolved." in past
    assert "quorum" not in page and INTERNAL not in page
    today = status(bot, "/status.json").json()
    assert today["incidents"] == [] and today["components"][0]["status"] == "operational"
    assert 'class="bar state-major_outage"' in page  # today's bar keeps the day's worst


def test_an_active_incidents_day_in_the_history_points_to_it_instead_of_saying_none(bot, fake_slack):
    row = declare_form(bot, INTERNAL, severity="sev1", public=True)
    public_form(bot, row.id, "Checkout is down.", title="Checkout unavailable", components={"Checkout": "major_outage"})
    page = status(bot).body.decode()
    past = page[page.index("Past incidents"):]
    today = past[:past.index("</div>")]
    assert f'<a href="#incident-{row.id}">Checkout unavailable</a>' in today and "ongoing" in today
    assert "No incidents reported" not in today
    assert "Checkout is down." not in past  # its updates are shown once, on its active card
    assert page.count(f'id="incident-{row.id}"') == 1


def test_only_the_comms_lead_or_commander_speak_publicly(bot, fake_slack):
    row = declare_form(bot, INTERNAL, severity="sev3", public=True)
    answer = in_channel(bot, "public Hello", row, user="U03CAROL")
    assert "Communication Lead or commander" in answer["text"]
    assert public_form(bot, row.id, "Hello", title="T", user="U03CAROL").json()["response_action"] == "errors"


def test_json_follows_statuspage_summary(bot, fake_slack):
    row = declare_form(bot, INTERNAL, severity="sev2", service="search")
    public_form(bot, row.id, "Search results are slow.", title="Slow search", status="identified",
                components={"Search": "degraded_performance"})
    response = status(bot, "/status.json")
    assert response.status == 200
    summary = response.json()
    assert set(summary) == {"page", "status", "components", "incidents", "scheduled_maintenances"}
    assert summary["page"]["name"] == "Acme status" and summary["page"]["url"].endswith("/status")
    assert [(c["name"], c["status"], c["position"]) for c in summary["components"]] == [
        ("Checkout", "operational", 1), ("Search", "degraded_performance", 2)]
    [incident] = summary["incidents"]
    assert (incident["name"], incident["status"], incident["impact"]) == ("Slow search", "identified", "minor")
    assert [u["body"] for u in incident["incident_updates"]] == ["Search results are slow."]
    assert incident["components"] == [{"id": "search", "name": "Search", "status": "degraded_performance"}]


def test_the_atom_feed_parses_and_escapes(bot, fake_slack):
    row = declare_form(bot, INTERNAL, severity="sev2")
    public_form(bot, row.id, "<script>alert(1)</script> & more", title="Checkout <b>slow</b>")
    response = status(bot, "/status/feed.atom")
    feed = feedparser.parse(response.body)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10" and feed.feed.title == "Acme status"
    [entry] = feed.entries
    assert entry.title == "Checkout <b>slow</b> (Investigating)"
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in entry.content[0].value
    page = status(bot).body.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_answers_carry_an_etag_and_change_with_the_page(bot, fake_slack):
    first = status(bot)
    etag = first.headers["etag"]
    assert first.status == 200 and etag
    assert status(bot, **{"If-None-Match": etag}).status == 304
    row = declare_form(bot, INTERNAL, severity="sev2", public=True)
    assert status(bot, **{"If-None-Match": etag}).status == 200
    after = status(bot)
    assert after.headers["etag"] != etag
    assert after.headers["cache-control"] == "public, no-cache"
    assert row is not None


def test_a_reader_taking_gzip_gets_the_page_compressed_under_an_etag_of_its_own(bot, fake_slack):
    declare_form(bot, INTERNAL, severity="sev2", public=True)
    plain = status(bot)  # urllib asks for identity
    zipped = status(bot, **{"Accept-Encoding": "gzip, deflate, br"})
    assert plain.headers.get("content-encoding") is None and zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped.body) == plain.body and len(zipped.body) < len(plain.body) / 3
    assert plain.headers["vary"] == zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.headers["etag"] != plain.headers["etag"]
    again = status(bot, **{"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]})
    assert again.status == 304 and again.headers["etag"] == zipped.headers["etag"]
    assert status(bot, **{"If-None-Match": zipped.headers["etag"]}).status == 200, "another representation"
    refused = status(bot, "/status.json", **{"Accept-Encoding": "gzip;q=0, *"})
    assert refused.headers.get("content-encoding") is None and refused.body.startswith(b"{")


def test_the_nag_asks_for_a_public_update_when_the_page_is_stale(bot, fake_slack):
    row = declare_form(bot, INTERNAL, severity="sev1", public=True)
    bot.click(Action.TAKE_COMMS, row.id, user="U02BOB")
    bot.settle()
    bot.clock.advance(timedelta(minutes=20))
    bot.ctx.timer_worker.tick()
    bot.settle()
    [nag] = [m for m in fake_slack.messages(row.channel_id) if "no stakeholder update" in m["text"]]
    assert "The status page has not been updated for 20m" in nag["text"]
    assert Action.PUBLIC_UPDATE in [e["action_id"] for b in nag["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_a_fresh_status_page_is_not_nagged_about(bot, fake_slack):
    row = declare(bot, "declare sev1 Checkout is down")
    public_form(bot, row.id, "We are on it.", title="Checkout trouble")
    bot.clock.advance(timedelta(minutes=19))
    in_channel(bot, "public Still on it.", row)
    bot.clock.advance(timedelta(minutes=1))
    bot.ctx.timer_worker.tick()
    bot.settle()
    [nag] = [m for m in fake_slack.messages(row.channel_id) if "no stakeholder update" in m["text"]]
    assert "status page" not in nag["text"]
