"""What the page log needs is recorded where a page is written: why it was sent and, per person,
whether it was out of business hours (09:00-18:00 Mon-Fri in the configured zone)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import Session

from bot.retro import figures
from tests.integration.helpers import declare, in_channel
from tests.integration.paging.test_paging import ON_CALL, run_due


def test_cause_and_out_of_hours_are_recorded_with_each_page(make_bot, engine):
    bot = make_bot(config={**ON_CALL, "timezone": "Europe/Rome"})
    bot.clock.set(datetime(2026, 11, 22, 7, 0, tzinfo=timezone.utc))  # Sunday 08:00 in Rome
    night = declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    in_channel(bot, "page <@U03CAROL|carol>", night)
    run_due(bot)
    in_channel(bot, "ack", night, user="U01ALICE")
    bot.clock.set(datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc))  # Monday 09:30 in Rome
    day = declare(bot, "declare sev3 Search is slow", user="U02BOB")
    in_channel(bot, "sev sev2 spreading", day)
    run_due(bot)
    with Session(engine) as session:
        rows = session.execute(figures.page_log(datetime(2026, 11, 1, tzinfo=timezone.utc),
                                                bot.clock.now() + timedelta(seconds=1))).mappings().all()
    assert [(r.incident, r.user_id, r.reason, r.out_of_hours) for r in rows] == [
        (night.id, "U01ALICE", "declared", True), (night.id, "U03CAROL", "command", True),
        (day.id, "U01ALICE", "raised", False)]
