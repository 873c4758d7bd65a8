"""Alertmanager's Watchdog, with the real Alertmanager: its notifications check in, its silence pages."""

from datetime import timedelta

from sqlalchemy import func, select

from models import Alert, Heartbeat, Incident
from tests.alertmanager import alertmanager
from tests.integration.paging.test_paging import ON_CALL, pages_to, run_due
from tests.processes import wait_for

WATCHED = {**ON_CALL, "services": {**ON_CALL["services"], "monitoring": {}},
           "alerts": {"watchdog": {"alertname": "Watchdog", "every": "5m", "grace": "5m", "service": "monitoring",
                                   "severity": "sev2"}}}


def count(bot, model, *where) -> int:
    with bot.ctx.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def checkins(bot) -> int:
    with bot.ctx.sessions() as session:
        beat = session.get(Heartbeat, "watchdog")
        return beat.checkins if beat else 0


def test_the_watchdog_checks_in_and_its_silence_fires_heartbeat_watchdog(make_bot, fake_slack, tmp_path):
    bot = make_bot(config=WATCHED, WEBHOOK_TOKEN="hook-token")
    with alertmanager(tmp_path, f"{bot.url}/webhooks/alertmanager") as manager:
        assert manager.post_alerts({"alertname": "Watchdog", "severity": "none"}).status == 200
        wait_for(lambda: checkins(bot) >= 1, 60, "Alertmanager to deliver the Watchdog")
    assert count(bot, Incident) == 0 and count(bot, Alert) == 0, "the Watchdog never opens an incident itself"
    run_due(bot, timedelta(minutes=9, seconds=59))
    assert count(bot, Incident) == 0
    run_due(bot, timedelta(seconds=1))  # Alertmanager is gone: nothing checks in
    run_due(bot)
    [incident] = bot.ctx.incidents.list_open()
    assert incident.title.startswith("heartbeat:watchdog: the monitoring has gone silent")
    assert (incident.service, incident.severity) == ("monitoring", "sev2")
    assert len(pages_to(fake_slack, "U01ALICE")) == 1


def test_other_alerts_of_the_same_notification_are_alerts(make_bot):
    bot = make_bot(config=WATCHED, WEBHOOK_TOKEN="hook-token")
    alert = {"status": "firing", "labels": {"alertname": "Watchdog"}, "fingerprint": "w1"}
    other = {"status": "firing", "labels": {"alertname": "CheckoutDown", "service": "checkout"}, "fingerprint": "c1"}
    response = bot.webhook("alertmanager", {"version": "4", "status": "firing", "groupKey": "g", "alerts": [
        alert, other, {**alert, "status": "resolved"}]})
    assert response.json() == {"alerts": [{"dedup_key": "w1", "action": "checked_in", "incident": None},
                                          {"dedup_key": "c1", "action": "declared", "incident": "INC-1"},
                                          {"dedup_key": "w1", "action": "ignored", "incident": None}]}
    assert checkins(bot) == 1 and count(bot, Alert) == 1


def test_without_alerts_watchdog_a_watchdog_is_an_alert(make_bot):
    bot = make_bot(config=ON_CALL, WEBHOOK_TOKEN="hook-token")
    response = bot.webhook("alertmanager", {"version": "4", "status": "firing", "alerts": [
        {"status": "firing", "labels": {"alertname": "Watchdog"}, "fingerprint": "w1"}]})
    assert response.json()["alerts"][0]["action"] == "declared"
