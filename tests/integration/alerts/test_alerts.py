"""Alert webhooks: dedup, the grace period, transient incidents, and bad requests that write nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.slack.ids import Action
from models import Alert, Incident, Status
from tests.integration.helpers import incident, rendered
from tests.integration.paging.test_paging import ON_CALL, pages_to, run_due

FIRING = {"title": "Checkout 5xx above 5%", "dedup_key": "checkout-5xx", "status": "firing",
          "severity": "sev2", "service": "checkout", "description": "p99 error ratio 7%"}


@pytest.fixture
def alert_bot(make_bot):
    return make_bot(config=ON_CALL, WEBHOOK_TOKEN="hook-token")


def count(bot, model) -> int:
    with bot.ctx.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_an_alert_opens_an_incident_and_pages_after_the_grace_period(alert_bot, fake_slack):
    bot = alert_bot
    response = bot.webhook("generic", FIRING)
    assert response.status == 202
    assert response.json() == {"alerts": [{"dedup_key": "checkout-5xx", "action": "declared", "incident": "INC-1"}]}
    bot.settle()
    row = incident(bot)
    assert (row.title, row.severity, row.service, row.declared_by) == ("Checkout 5xx above 5%", "sev2", "checkout", "webhook")
    assert (row.channel_id, row.announcement_ts, row.acknowledged_at) == (None, None, None), \
        "quiet in its grace period: an alert that resolves itself leaves no channel behind"
    run_due(bot, timedelta(minutes=1))
    assert pages_to(fake_slack, "U01ALICE") == [] and incident(bot).channel_id is None
    run_due(bot, timedelta(minutes=1))
    assert len(pages_to(fake_slack, "U01ALICE")) == 1
    row = incident(bot)
    assert row.channel_id is not None and row.announcement_ts is not None and row.summary_ts is not None


def test_a_repeat_attaches_to_the_open_incident(alert_bot, fake_slack):
    bot = alert_bot
    bot.webhook("generic", FIRING)
    second = bot.webhook("generic", FIRING)
    assert second.json()["alerts"][0] == {"dedup_key": "checkout-5xx", "action": "attached", "incident": "INC-1"}
    bot.settle()
    assert count(bot, Incident) == 1 and count(bot, Alert) == 1


def test_an_alert_that_resolves_within_the_grace_period_pages_nobody(alert_bot, fake_slack):
    bot = alert_bot
    bot.webhook("generic", FIRING)
    bot.clock.advance(timedelta(seconds=70))
    response = bot.webhook("generic", {**FIRING, "status": "resolved"})
    assert response.json()["alerts"][0]["action"] == "resolved_transient"
    run_due(bot, timedelta(minutes=10))
    row = incident(bot)
    assert row.status == Status.RESOLVED and row.transient
    assert fake_slack.messages("U01ALICE") == []
    assert (row.channel_id, row.announcement_ts, row.synced_revision) == (None, None, row.revision)
    assert [c for c in fake_slack.channels.values() if c["name"].startswith("inc-")] == []
    assert any("within the grace period: INC-1 is closed as transient" in e.text for e in row.events), \
        "the record and its timeline remain"


def test_a_later_resolution_is_offered_to_the_commander(alert_bot, fake_slack):
    bot = alert_bot
    bot.webhook("generic", FIRING)
    run_due(bot, timedelta(minutes=2))
    bot.click(Action.ACKNOWLEDGE, 1, user="U01ALICE")
    bot.settle()
    bot.clock.advance(timedelta(minutes=20))
    bot.webhook("generic", {**FIRING, "status": "resolved"})
    bot.settle()
    assert incident(bot).status == Status.INVESTIGATING
    post = fake_slack.messages(incident(bot).channel_id)[-1]
    assert post["text"].startswith("The alert resolved after 22m. If the incident is over, the Incident Commander can resolve it")
    assert "<@U01ALICE>" in post["text"]
    assert Action.RESOLVE in rendered(post["blocks"])


def test_alertmanager_payload(alert_bot, fake_slack):
    bot = alert_bot
    body = {"version": "4", "status": "firing", "receiver": "incident-bot", "groupKey": "{}:{}", "alerts": [
        {"status": "firing", "labels": {"alertname": "HighErrorRate", "severity": "critical", "service": "checkout"},
         "annotations": {"summary": "Checkout error rate high"}, "startsAt": "2026-11-23T09:00:00Z",
         "fingerprint": "abc123"},
        {"status": "firing", "labels": {"alertname": "DiskFull", "severity": "info"}, "annotations": {},
         "fingerprint": "def456"},
    ]}
    response = bot.webhook("alertmanager", body)
    assert response.status == 202
    assert [a["action"] for a in response.json()["alerts"]] == ["declared", "joined"], "one notification, one incident"
    bot.settle()
    row = incident(bot, 1)
    assert (row.title, row.severity, row.service) == ("Checkout error rate high", "sev1", "checkout")
    assert (row.alerts_firing, row.alerts_resolved) == (2, 0)
    with bot.ctx.sessions() as session:
        started = session.scalar(select(Alert.started_at).where(Alert.dedup_key == "abc123"))
    assert started.isoformat() == "2026-11-23T09:00:00+00:00"
    assert [a["action"] for a in bot.webhook("alertmanager", body).json()["alerts"]] == ["attached", "attached"]


@pytest.mark.parametrize("body, field", [
    (b"{not json", "(body)"),
    ({**FIRING, "dedup_key": None}, "dedup_key"),
    ({k: v for k, v in FIRING.items() if k != "title"}, "title"),
    ({**FIRING, "status": "exploded"}, "status"),
    ({**FIRING, "colour": "red"}, "colour"),
])
def test_a_malformed_generic_body_is_a_400_naming_the_field(alert_bot, body, field):
    response = alert_bot.webhook("generic", body)
    assert response.status == 400
    assert field in [p["field"] for p in response.json()["problems"]]
    assert count(alert_bot, Incident) == 0 and count(alert_bot, Alert) == 0


def test_a_malformed_alertmanager_body_names_the_alert(alert_bot):
    body = {"version": "4", "status": "firing", "alerts": [{"status": "burning", "labels": {}}]}
    response = alert_bot.webhook("alertmanager", body)
    assert response.status == 400
    assert response.json()["problems"][0]["field"] == "alerts[0].status"
    assert count(alert_bot, Incident) == 0


@pytest.mark.parametrize("token", [None, "wrong"])
def test_a_missing_or_wrong_token_is_a_401(alert_bot, token):
    response = alert_bot.webhook("generic", FIRING, token=token)
    assert response.status == 401
    assert "bearer token" in response.json()["error"]
    assert count(alert_bot, Incident) == 0


def test_webhooks_are_refused_while_no_token_is_set(make_bot):
    bot = make_bot(config=ON_CALL)
    response = bot.webhook("generic", FIRING)
    assert response.status == 401
    assert response.json()["error"] == "webhooks are refused: WEBHOOK_TOKEN is not set on this server"


def test_a_transient_alert_ends_like_any_incident_ends(alert_bot, fake_slack):
    """One close for every way an incident ends: no nag, no comms-lead ask, no page is left waiting."""
    from models.timer import PENDING, Timer
    bot = alert_bot
    bot.webhook("generic", FIRING)
    bot.clock.advance(timedelta(seconds=30))
    bot.webhook("generic", {**FIRING, "status": "resolved"})
    row = incident(bot)
    assert (row.status, row.transient, row.update_due_at) == (Status.RESOLVED, True, None)
    with bot.ctx.sessions() as session:
        assert session.scalars(select(Timer.kind).where(PENDING, Timer.incident_id == row.id)).all() == []
    run_due(bot, timedelta(hours=2))
    assert not [e for e in incident(bot).events if e.kind in ("nag", "comms_wanted", "paged")]


def test_a_more_severe_alert_joining_raises_the_incident_announced_and_paged(alert_bot, fake_slack):
    bot = alert_bot
    minor = {**FIRING, "severity": "sev3", "group": "checkout-storm", "dedup_key": "latency"}
    bot.webhook("generic", minor)
    run_due(bot, timedelta(minutes=2))  # past the grace period: opened and paged
    [first_page] = pages_to(fake_slack, "U01ALICE")
    bot.ctx.incidents.acknowledge(1, "U01ALICE")
    bot.settle()
    worse = {**FIRING, "severity": "sev1", "group": "checkout-storm", "dedup_key": "5xx", "title": "Checkout down"}
    assert bot.webhook("generic", worse).json()["alerts"][0]["action"] == "joined"
    run_due(bot)
    row = incident(bot)
    assert row.severity == "sev1"
    raised = [e for e in row.events if e.kind == "severity_changed"]
    assert [e.text for e in raised] == ["INC-1 raised from sev3 to sev1: a more severe alert joined: Checkout down"]
    assert raised[0].announce
    assert "sev1" in rendered(fake_slack.messages(row.announcement_channel_id)[-1]["blocks"])
    assert len(pages_to(fake_slack, "U01ALICE")) == 2, "sev1 pages again though sev3's page was acknowledged"
    bot.webhook("generic", {**minor, "dedup_key": "minor-again"})
    bot.settle()
    assert incident(bot).severity == "sev1", "a less severe alert lowers nothing"
