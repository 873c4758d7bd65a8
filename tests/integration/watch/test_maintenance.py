"""Maintenance windows: alerts held on the window (no incident, nobody paged), the edge cases each
answered clearly, and the Alertmanager silence (the real Alertmanager) made, expired and retried."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.core.clock import ManualClock
from bot.incidents.service import Declaration
from models import Incident, MaintenanceWindow
from tests.alertmanager import Alertmanager, alertmanager
from tests.integration.paging.test_paging import ON_CALL, pages_to, run_due
from tests.processes import wait_for

FIRING = {"title": "Checkout 5xx above 5%", "dedup_key": "checkout-5xx", "status": "firing",
          "severity": "sev2", "service": "checkout"}
CONFIG = {**ON_CALL, "services": {"checkout": {}, "search": {}}}


@pytest.fixture
def clock() -> ManualClock:
    """Alertmanager keeps real time: a silence must not end in its past."""
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def maint_bot(make_bot):
    return make_bot(config=CONFIG, WEBHOOK_TOKEN="hook-token")


def say(bot, text: str) -> str:
    return bot.command(text).json()["text"]


def incidents(bot) -> int:
    with bot.ctx.sessions() as session:
        return session.scalar(select(func.count()).select_from(Incident))


def test_alerts_during_a_window_are_held_and_page_nobody_and_after_it_page_again(maint_bot, fake_slack):
    bot = maint_bot
    answer = say(bot, "maintenance checkout now in 2h Database upgrade to 16")
    assert "Maintenance #1 is set: alerts of `checkout` are held on it" in answer
    assert "Database upgrade to 16" in answer and ":construction: *in progress*" in answer
    for _ in range(3):
        assert bot.webhook("generic", FIRING).json()["alerts"][0]["action"] == "held"
    bot.webhook("generic", {**FIRING, "dedup_key": "search-down", "service": "search", "title": "Search down"})
    run_due(bot, timedelta(minutes=5))
    assert incidents(bot) == 1, "only the other service's alert opened an incident"
    assert bot.webhook("generic", {**FIRING, "status": "resolved"}).json()["alerts"][0]["action"] == "held"
    listing = say(bot, "maintenance list")
    assert "*#1* `checkout`" in listing and "held: Checkout 5xx above 5% ×4" in listing
    run_due(bot, timedelta(hours=2))
    assert bot.webhook("generic", FIRING).json()["alerts"][0]["action"] == "declared", "the window is over"
    assert ":white_check_mark: completed" in say(bot, "maintenance list")


def test_a_declared_incident_is_not_affected(maint_bot, fake_slack):
    bot = maint_bot
    say(bot, "maintenance checkout now in 2h")
    bot.ctx.incidents.declare(Declaration(title="Checkout is down", declared_by="U02BOB", severity="sev1",
                                          service="checkout", page=True))
    run_due(bot)
    assert len(pages_to(fake_slack, "U01ALICE")) == 1


def test_a_window_ahead_holds_nothing_yet(maint_bot):
    bot = maint_bot
    assert ":calendar: scheduled" in say(bot, "maintenance checkout tomorrow 09:00 tomorrow 11:00 Failover drill")
    assert bot.webhook("generic", FIRING).json()["alerts"][0]["action"] == "declared"


@pytest.mark.parametrize(("text", "said"), [
    ("maintenance checkout tomorrow 10:00 tomorrow 09:00", "is not after the start"),
    ("maintenance checkout now in 8d", "longer than the 7d allowed"),
    ("maintenance payments now in 2h", "`payments` is not a configured service; use one of: `checkout`, `search`"),
    ("maintenance checkout 2025-11-20 2025-11-21", "already past"),
    ("maintenance checkout soon later", "is not a date or a time"),
    ("maintenance", "Say which service"),
])
def test_bad_windows_are_answered_and_write_nothing(maint_bot, text, said):
    assert said in say(maint_bot, text)
    with maint_bot.ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MaintenanceWindow)) == 0


def test_overlapping_windows_are_refused_naming_the_first(maint_bot):
    bot = maint_bot
    say(bot, "maintenance checkout now in 2h")
    assert "Maintenance #1 of `checkout` already runs" in say(bot, "maintenance checkout in 1h in 3h")
    assert "Maintenance #2 is set" in say(bot, "maintenance search in 1h in 3h"), "another service may"
    assert "Maintenance #3 is set" in say(bot, "maintenance checkout in 2h in 3h"), "one right after is no overlap"


def test_a_window_ended_early_stops_holding_and_ending_it_twice_is_said(maint_bot):
    bot = maint_bot
    say(bot, "maintenance checkout now in 2h")
    bot.clock.advance(timedelta(minutes=30))
    assert "Maintenance #1 ended." in say(bot, "maintenance end 1")
    assert "ended early by <@U01ALICE>" in say(bot, "maintenance list")
    assert "Maintenance #1 already ended" in say(bot, "maintenance end 1")
    assert "There is no maintenance #7" in say(bot, "maintenance end 7")
    assert "is not a window's number" in say(bot, "maintenance end soon")
    assert bot.webhook("generic", FIRING).json()["alerts"][0]["action"] == "declared"


def test_a_window_silences_the_service_in_alertmanager_and_an_early_end_expires_it(make_bot, tmp_path):
    with alertmanager(tmp_path) as manager:
        bot = make_bot(config=CONFIG, WEBHOOK_TOKEN="hook-token", ALERTMANAGER_URL=manager.url)
        answer = say(bot, "maintenance checkout now in 2h Database upgrade")
        assert "silenced in Alertmanager" in answer
        [silence] = manager.silences()
        assert silence["matchers"] == [{"name": "service", "value": "checkout", "isRegex": False, "isEqual": True}]
        assert (silence["createdBy"], silence["comment"], silence["status"]["state"]) == \
            ("U01ALICE", "Database upgrade", "active")
        say(bot, "maintenance end 1")
        [silence] = manager.silences()
        assert silence["status"]["state"] == "expired"


def test_alertmanager_unreachable_the_window_stands_the_person_is_told_and_the_silence_is_retried(make_bot,
                                                                                                  tmp_path):
    manager = Alertmanager(tmp_path, None, "hook-token")  # its port chosen, not yet started
    bot = make_bot(config=CONFIG, WEBHOOK_TOKEN="hook-token", ALERTMANAGER_URL=manager.url)
    answer = say(bot, "maintenance checkout now in 2h")
    assert "Maintenance #1 is set" in answer
    assert ":warning: the Alertmanager silence is not in place yet (Alertmanager is unreachable" in answer
    assert bot.webhook("generic", FIRING).json()["alerts"][0]["action"] == "held", "the window stands"
    manager.start()
    try:
        run_due(bot, timedelta(seconds=30))
        wait_for(lambda: manager.silences(), 10, "the silence retried")
        assert "silenced in Alertmanager" in say(bot, "maintenance list")
    finally:
        manager.stop()


STATUS = {**CONFIG, "status_page": {"title": "Acme status", "components": [{"name": "Checkout", "services": ["checkout"]}]}}


def test_a_window_is_on_the_status_page_scheduled_then_in_progress_then_completed(make_bot):
    import feedparser

    from tests.driver import http

    bot = make_bot(config=STATUS, WEBHOOK_TOKEN="hook-token")
    say(bot, "maintenance checkout in 1h in 3h Secret internal reason CVE-2026-1")
    say(bot, "maintenance search in 1h in 3h")  # no component holds search: not the customers'

    def summary() -> list[dict]:
        return http("GET", f"{bot.url}/status.json").json()["scheduled_maintenances"]

    [ahead] = summary()
    assert (ahead["name"], ahead["status"], ahead["impact"]) == ("Scheduled maintenance of Checkout", "scheduled",
                                                                 "maintenance")
    assert ahead["scheduled_for"] == (bot.clock.now() + timedelta(hours=1)).isoformat()
    assert ahead["components"] == [{"id": "checkout", "name": "Checkout", "status": "under_maintenance"}]
    html = http("GET", f"{bot.url}/status").body.decode()
    assert "Scheduled maintenance of Checkout" in html and "CVE-2026-1" not in html, "the reason stays internal"
    feed = feedparser.parse(http("GET", f"{bot.url}/status/feed.atom").body)
    assert [e.title for e in feed.entries] == ["Scheduled maintenance of Checkout (Scheduled)"]
    bot.clock.advance(timedelta(hours=1, seconds=1))
    wait_for(lambda: summary()[0]["status"] == "in_progress", 5, "the cache to see the window begin")
    bot.clock.advance(timedelta(hours=2))
    wait_for(lambda: summary()[0]["status"] == "completed", 5, "the window to complete")
    assert "CVE" not in http("GET", f"{bot.url}/status.json").body.decode()
