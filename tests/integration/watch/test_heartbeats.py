"""Heartbeats: check-ins over HTTP, the deadline timer, the alert it fires and the check-in that resolves it."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.watch.heartbeats import LATE
from models import Alert, Heartbeat, Incident, Status, Timer
from tests.driver import http
from tests.integration.helpers import incident
from tests.integration.paging.test_paging import ON_CALL, pages_to, run_due

BEATS = {**ON_CALL, "heartbeats": {
    "nightly-backup": {"every": "1d", "grace": "1h", "service": "checkout", "severity": "sev2"},
    "canary": {"every": "5m", "grace": "2m", "service": "checkout", "severity": "sev2"},
}}


@pytest.fixture
def beat_bot(make_bot):
    return make_bot(config=BEATS, WEBHOOK_TOKEN="hook-token")


def check_in(bot, name: str, method: str = "POST", token: str | None = "hook-token", query: str = "",
             body: bytes = b"", headers: dict | None = None):
    given = {"Authorization": f"Bearer {token}"} if token and not query else {}
    return http(method, f"{bot.url}/heartbeats/{name}{query}", body, {**given, **(headers or {})})


def count(bot, model, *where) -> int:
    with bot.ctx.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def row(bot, name: str) -> Heartbeat | None:
    with bot.ctx.sessions() as session:
        return session.get(Heartbeat, name)


def test_a_check_in_is_one_row_and_one_deadline_however_often(beat_bot):
    bot = beat_bot
    for _ in range(5):
        assert check_in(bot, "canary").status == 204
        bot.clock.advance(timedelta(minutes=1))
    assert check_in(bot, "canary", "GET", query="?token=hook-token").status == 204, "curl in a cron line"
    beat = row(bot, "canary")
    assert beat.checkins == 6 and beat.last_checkin_at == bot.clock.now() and not beat.late
    assert count(bot, Heartbeat) == 1 and count(bot, Timer) == 1, "neither table grows with check-ins"
    with bot.ctx.sessions() as session:
        deadline = session.scalars(select(Timer)).one()
    assert (deadline.kind, deadline.due_at) == (LATE, bot.clock.now() + timedelta(minutes=7))


def test_silence_past_every_and_grace_pages_at_once_and_the_next_check_in_resolves(beat_bot, fake_slack):
    bot = beat_bot
    check_in(bot, "canary")
    run_due(bot, timedelta(minutes=6, seconds=59))
    assert count(bot, Incident) == 0, "not late before every + grace"
    run_due(bot, timedelta(seconds=1))
    assert count(bot, Incident) == 1
    row_ = incident(bot)
    assert row_.title.startswith("heartbeat:canary: no check-in for 7m")
    assert (row_.severity, row_.service, row_.quiet_until) == ("sev2", "checkout", None), "no page_delay: it is late"
    run_due(bot)  # the page's own timer, due now
    assert len(pages_to(fake_slack, "U01ALICE")) == 1, "the service's escalation pages at once"
    assert row(bot, "canary").late
    run_due(bot, timedelta(minutes=30))
    assert count(bot, Incident) == 1 and count(bot, Alert) == 1, "late once, one alert, whatever the silence"
    assert check_in(bot, "canary").status == 204
    bot.settle()
    with bot.ctx.sessions() as session:
        alert = session.scalars(select(Alert)).one()
    assert not alert.firing and not row(bot, "canary").late
    assert any("resolved" in e.text for e in incident(bot).events if e.kind == "alert_resolved")


def test_a_check_in_in_time_keeps_it_quiet_and_a_waiting_heartbeat_is_never_late(beat_bot):
    bot = beat_bot
    check_in(bot, "canary")
    for _ in range(4):
        run_due(bot, timedelta(minutes=6))
        check_in(bot, "canary")
    run_due(bot, timedelta(days=3))
    assert count(bot, Incident, Incident.title.like("heartbeat:nightly-backup%")) == 0, \
        "a heartbeat that never checked in waits for its first check-in"
    assert count(bot, Incident, Incident.title.like("heartbeat:canary%")) == 1


def test_two_workers_fire_a_deadline_once(beat_bot, make_bot):
    bot = beat_bot
    check_in(bot, "canary")
    bot.clock.advance(timedelta(minutes=8))
    other = make_bot(config=BEATS, WEBHOOK_TOKEN="hook-token")
    bot.ctx.timer_worker.tick()
    other.ctx.timer_worker.tick()
    bot.settle()
    assert count(bot, Incident) == 1


def test_a_check_in_while_a_worker_holds_the_deadline_takes_it_back(beat_bot):
    """The worker claimed the deadline; the check-in lands before it runs: nothing fires and the
    re-armed deadline stays pending (the worker cannot mark it done)."""
    bot = beat_bot
    check_in(bot, "canary")
    bot.clock.advance(timedelta(minutes=8))
    worker = bot.ctx.timer_worker
    [claimed], _ = worker._claim()
    check_in(bot, "canary")
    worker._run(claimed)
    assert count(bot, Incident) == 0
    with bot.ctx.sessions() as session:
        deadline = session.scalars(select(Timer)).one()
    assert deadline.done_at is None and deadline.due_at == bot.clock.now() + timedelta(minutes=7)
    run_due(bot, timedelta(minutes=7))
    assert count(bot, Incident) == 1, "the re-armed deadline still fires"


def test_a_restart_keeps_the_deadline(beat_bot, make_bot):
    bot = beat_bot
    check_in(bot, "canary")
    bot.close()
    restarted = make_bot(config=BEATS, WEBHOOK_TOKEN="hook-token")
    restarted.ctx.heartbeats.arm()
    run_due(restarted, timedelta(minutes=8))
    assert count(restarted, Incident) == 1


def test_wrong_token_unknown_name_and_odd_characters_write_nothing(beat_bot):
    bot = beat_bot
    assert check_in(bot, "canary", token="wrong").status == 401
    assert check_in(bot, "canary", token=None).status == 401
    assert check_in(bot, "canary", "GET", query="?token=wrong").status == 401
    assert check_in(bot, "nope").status == 404
    for odd in ("..%2F..%2Fetc", "canary%00", "%F0%9F%92%A5", "canary;drop", "x" * 300):
        assert check_in(bot, odd).status == 404, odd
    assert count(bot, Heartbeat) == 0 and count(bot, Timer) == 0


def test_a_ten_megabyte_body_is_413_and_writes_nothing(beat_bot):
    bot = beat_bot
    response = check_in(bot, "canary", body=b"x" * (10 * 1024 * 1024), headers={"Content-Type": "text/plain"})
    assert response.status == 413 and "no body" in response.json()["error"]
    assert count(bot, Heartbeat) == 0


def test_a_heartbeat_removed_from_the_file_while_late_is_resolved_and_said(beat_bot, make_bot):
    bot = beat_bot
    check_in(bot, "canary")
    run_due(bot, timedelta(minutes=8))
    run_due(bot)  # paged
    assert row(bot, "canary").late
    bot.close()
    trimmed = {**BEATS, "heartbeats": {"nightly-backup": BEATS["heartbeats"]["nightly-backup"]}}
    restarted = make_bot(config=trimmed, WEBHOOK_TOKEN="hook-token")
    restarted.ctx.heartbeats.arm()
    restarted.settle()
    with restarted.ctx.sessions() as session:
        alert = session.scalars(select(Alert)).one()
    assert not alert.firing and row(restarted, "canary") is None
    events = [e.text for e in incident(restarted).events]
    assert any("The heartbeat canary was removed from the configuration while it was late" in text for text in events)
    assert incident(restarted).status != Status.RESOLVED, "the people paged decide when the incident is over"
    assert count(restarted, Timer, Timer.kind == LATE, Timer.done_at.is_(None), Timer.cancelled_at.is_(None)) == 0


def test_the_console_and_slack_show_each_heartbeat_and_its_state(make_bot):
    bot = make_bot(config=BEATS, WEBHOOK_TOKEN="hook-token", CONSOLE_TOKEN="console")
    check_in(bot, "canary")
    run_due(bot, timedelta(minutes=8))
    check_in(bot, "nightly-backup")
    anonymous = http("GET", f"{bot.url}/heartbeats")
    assert b"Sign in" in anonymous.body and b"canary" not in anonymous.body, "the console needs a sign-in"
    page = http("GET", f"{bot.url}/heartbeats", headers={"Authorization": "Bearer console"})
    assert page.status == 200
    html = page.body.decode()
    assert 'class="heartbeat-late"' in html and 'class="heartbeat-ok"' in html
    assert "nightly-backup" in html and "every 1d + 1h grace" in html
    reply = bot.command("heartbeats").json()
    assert "`canary` :red_circle: *late*" in reply["text"]
    assert "`nightly-backup` :large_green_circle: checking in (every 1d + 1h grace)" in reply["text"]
    assert "/heartbeats|All heartbeats in the console>" in reply["text"]


def test_no_heartbeat_configured_says_how_to_add_one(bot):
    assert "add one under `heartbeats`" in bot.command("heartbeats").json()["text"]
