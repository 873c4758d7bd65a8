"""A storm of alerts is one incident, paged once, counted on the summary, never one message per alert
(issue 12, grouping)."""

import threading
from datetime import timedelta

import pytest

from tests.integration.helpers import channel_posts, incident, rendered, summary
from tests.integration.paging.test_paging import ON_CALL, pages_to, run_due


def notification(group: str, fingerprints, status: str = "firing", service: str = "checkout") -> dict:
    return {"version": "4", "status": status, "receiver": "incident-bot", "groupKey": group, "alerts": [
        {"status": status, "labels": {"alertname": f"Down{f}", "service": service, "severity": "sev2"},
         "annotations": {"summary": f"Instance {f} is down"}, "fingerprint": f"fp{f}"} for f in fingerprints]}


def generic(key: str, service: str = "checkout", status: str = "firing", **more) -> dict:
    return {"title": f"Probe {key} fails", "dedup_key": key, "status": status, "service": service, **more}


@pytest.fixture
def bot(make_bot):
    return make_bot(config=ON_CALL, WEBHOOK_TOKEN="hook-token")


def test_two_hundred_alerts_in_six_notifications_are_one_incident_paged_once(bot, fake_slack):
    for batch in range(6):
        response = bot.webhook("alertmanager", notification("{}:{alertname=~Down}", range(batch * 34, min(200, batch * 34 + 34))))
        assert response.status == 202
    bot.settle()
    [row] = bot.ctx.incidents.list_open()
    assert (row.alerts_firing, row.alerts_resolved) == (200, 0)
    run_due(bot, timedelta(minutes=2))
    for _ in range(3):
        run_due(bot, timedelta(minutes=1))
    assert len(pages_to(fake_slack, "U01ALICE")) <= 3, "one page (and its renotifies), not one per alert"
    assert len({p["ts"] for p in pages_to(fake_slack, "U01ALICE")}) == len(pages_to(fake_slack, "U01ALICE"))
    assert "200 alerts firing, 0 resolved" in rendered(summary(bot, fake_slack)["blocks"])
    assert len(channel_posts(bot, fake_slack)) < 10, "the count is re-rendered, not posted per alert"
    assert sum(e.kind == "alert_fired" for e in incident(bot).events) == 199, "each alert is in the timeline"


def test_generic_alerts_of_one_service_join_while_the_incident_is_young(bot, fake_slack):
    assert bot.webhook("generic", generic("a")).json()["alerts"][0]["action"] == "declared"
    bot.clock.advance(timedelta(minutes=4))
    assert bot.webhook("generic", generic("b")).json()["alerts"][0] == {"dedup_key": "b", "action": "joined",
                                                                        "incident": "INC-1"}
    assert bot.webhook("generic", generic("c", service="checkout-db")).json()["alerts"][0]["action"] == "declared"
    bot.clock.advance(timedelta(minutes=2))  # INC-1 was opened 6 minutes ago: past the 5-minute window
    assert bot.webhook("generic", generic("d")).json()["alerts"][0]["incident"] == "INC-3"
    assert bot.webhook("generic", generic("e", group="db")).json()["alerts"][0]["incident"] == "INC-3", \
        "same service, young incident"
    assert bot.webhook("generic", generic("f", service="payments", group="db")).json()["alerts"][0]["incident"] == "INC-3", \
        "same group, another service"


def test_a_storm_closes_as_transient_only_when_every_alert_resolved_before_any_page(bot, fake_slack):
    bot.webhook("alertmanager", notification("g", [1, 2, 3]))
    bot.clock.advance(timedelta(seconds=30))
    bot.webhook("alertmanager", notification("g", [1, 2], status="resolved"))
    row = incident(bot)
    assert row.is_open and (row.alerts_firing, row.alerts_resolved) == (1, 2)
    bot.webhook("alertmanager", notification("g", [3], status="resolved"))
    row = incident(bot)
    assert not row.is_open and row.transient
    assert "All 3 alerts resolved themselves within the grace period" in row.events[-1].text


def test_resolved_after_paging_the_commander_is_offered_resolve_once_when_the_last_one_does(bot, fake_slack):
    bot.webhook("alertmanager", notification("g", [1, 2, 3]))
    run_due(bot, timedelta(minutes=2))
    assert len(pages_to(fake_slack, "U01ALICE")) == 1
    for fingerprint in (1, 2, 3):
        bot.webhook("alertmanager", notification("g", [fingerprint], status="resolved"))
    bot.settle()
    [offer] = [p for p in channel_posts(bot, fake_slack) if "can resolve it" in p]
    assert offer.startswith("All 3 alerts resolved (the last after 2m). If the incident is over, the Incident "
                            "Commander can resolve it")
    assert incident(bot).is_open


def test_two_deliveries_of_one_storm_at_once_open_one_incident(bot, fake_slack):
    start = threading.Barrier(4)
    answers = []

    def deliver(batch: int) -> None:
        start.wait()
        answers.append(bot.webhook("alertmanager", notification("storm", range(batch * 10, batch * 10 + 10))))

    threads = [threading.Thread(target=deliver, args=(batch,)) for batch in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [a.status for a in answers] == [202] * 4
    assert len(bot.ctx.incidents.list_open()) == 1 and incident(bot).alerts_firing == 40
