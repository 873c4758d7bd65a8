"""The weekly digest: a timer row, posted exactly once with two workers and after a restart, with the
week's figures against the week before (the fixed history's weeks 44 and 43) and the chart."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.retro.digest import DIGEST
from models import Timer
from models.timer import PENDING
from tests.integration.retro.history import CONFIG, at, build

RETRO = {**CONFIG, "retro": {"channel": "ops-retro", "day": "mon", "time": "09:30"}}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "browser" / "screenshots"


@pytest.fixture
def history(engine, fake_slack):
    with Session(engine) as session:
        build(session)
        session.commit()
    return fake_slack.add_channel("ops-retro")


def digests(fake, channel: str) -> list[dict]:
    return [f for f in fake.files if f["channel_id"] == channel]


def pending(engine) -> list[Timer]:
    with Session(engine) as session:
        return list(session.scalars(select(Timer).where(Timer.kind == DIGEST, PENDING)))


def tick_together(*bots) -> None:
    threads = [threading.Thread(target=bot.ctx.timer_worker.tick) for bot in bots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_posted_exactly_once_with_two_workers_and_after_a_restart(history, make_bot, clock, fake_slack, engine):
    channel = history
    clock.set(at(11, 1, 12))  # Sunday of week 44
    one, two = make_bot(config=RETRO), make_bot(config=RETRO)
    one.ctx.digest.arm()
    two.ctx.digest.arm()
    [row] = pending(engine)
    assert row.due_at == at(11, 2, 8, 30) and row.payload == {"week": "2026-10-26"}  # Monday 09:30 CET

    clock.set(at(11, 2, 8, 29))
    tick_together(one, two)
    assert digests(fake_slack, channel) == []
    clock.set(at(11, 2, 8, 30))
    tick_together(one, two)
    [posted] = digests(fake_slack, channel)
    assert posted["filename"] == "retro-2026-W44.png" and posted["data"].startswith(b"\x89PNG\r\n\x1a\n")
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "digest-chart.png").write_bytes(posted["data"])

    restarted = make_bot(config=RETRO)  # a worker starting again arms nothing new
    restarted.ctx.digest.arm()
    [following] = pending(engine)
    assert following.due_at == at(11, 9, 8, 30) and following.payload == {"week": "2026-11-02"}
    clock.advance(timedelta(minutes=5))
    tick_together(restarted, one)
    assert len(digests(fake_slack, channel)) == 1

    clock.set(at(11, 9, 8, 30))
    tick_together(restarted, two)
    assert [f["filename"] for f in digests(fake_slack, channel)] == ["retro-2026-W44.png", "retro-2026-W45.png"]
    assert len(pending(engine)) == 1


def test_the_weeks_figures_against_the_week_before(history, make_bot, clock, fake_slack):
    clock.set(at(11, 2, 8, 30))
    bot = make_bot(config=RETRO)
    bot.ctx.digest.arm()  # at 09:30 sharp, the next is a week away
    clock.advance(timedelta(days=7))
    bot.ctx.timer_worker.tick()
    [posted] = digests(fake_slack, history)
    checkout_44 = 100 * (1 - (50 * 60 + 2 * 3600) / (28 * 86400 + 3600))
    assert posted["initial_comment"].splitlines() == [
        ":bar_chart: *Weekly retro: Week 45* (02 Nov – 08 Nov 2026), against Week 44",
        "*Incidents*: 1 declared ↓ (3) · 0 escalated past level 1 ↓ (1) · 0 transient alerts paged nobody ↓ (1)",
        "*Time to acknowledge*: median 10m ↑ (3m), p90 10m ↑ (8m 36s)",
        "*Time to mitigate*: median 30m ↓ (1h), p90 30m ↓ (1h 24m)",
        "*Time to resolve*: median 1h → (1h), p90 1h ↓ (2h 12m)",
        # 99.579% and 99.578%: level, as shown to 0.01
        f"*Uptime, four-week rolling*: checkout Week 45: {100 * (1 - 10200 / (28 * 86400)):.2f}% → ({checkout_44:.2f}%)"
        f" · payments Week 45: {100 * (1 - 1800 / (28 * 86400)):.2f}% ↓ (100.00%)",
        "*Out-of-hours pages*: none",
        f"<{bot.ctx.settings.public_url}/stats?period=since+2026-10-12|Charts, week by week, and the page log>",
    ]


def test_week_44_against_week_43(history, make_bot, clock, fake_slack):
    clock.set(at(11, 2, 8, 0))
    bot = make_bot(config=RETRO)
    bot.ctx.digest.arm()
    clock.set(at(11, 2, 8, 30))
    bot.ctx.timer_worker.tick()
    [posted] = digests(fake_slack, history)
    checkout_44 = 100 * (1 - (50 * 60 + 2 * 3600) / (28 * 86400 + 3600))
    checkout_43 = 100 * (1 - 40 * 60 / (28 * 86400 + 3600))  # INC-1 until week 43 ended, 23:00 UTC
    assert posted["initial_comment"].splitlines()[1:] == [
        "*Incidents*: 3 declared ↑ (1) · 1 escalated past level 1 ↑ (0) · 1 transient alerts paged nobody ↑ (0)",
        "*Time to acknowledge*: median 3m ↓ (5m), p90 8m 36s ↑ (5m)",
        "*Time to mitigate*: median 1h ↑ (40m), p90 1h 24m ↑ (40m)",
        "*Time to resolve*: median 1h ↓ (1h 20m), p90 2h 12m ↑ (1h 20m)",
        f"*Uptime, four-week rolling*: checkout Week 44: {checkout_44:.2f}% ↓ ({checkout_43:.2f}%)"
        " · payments Week 44: 100.00% → (100.00%)",
        "*Out-of-hours pages*: Борис Петров 1 of 2 · 李嘉欣 1 of 1",  # names: a mention would ping them weekly
        f"<{bot.ctx.settings.public_url}/stats?period=since+2026-10-05|Charts, week by week, and the page log>",
    ]


def test_a_digest_whose_answer_was_lost_is_found_not_posted_twice(history, make_bot, clock, fake_slack):
    channel = history
    clock.set(at(11, 2, 8, 29))
    bot = make_bot(config=RETRO)
    bot.ctx.digest.arm()
    clock.set(at(11, 2, 8, 30))
    fake_slack.lose_answers("files.completeUploadExternal")  # posted, but the worker hears nothing back
    bot.ctx.timer_worker.tick()
    assert len(digests(fake_slack, channel)) == 1
    clock.advance(timedelta(minutes=1))
    bot.ctx.timer_worker.tick()
    assert len(digests(fake_slack, channel)) == 1, "found again by its file, not posted twice"
    [done] = [t for t in pending_or_done(bot) if t.kind == DIGEST and t.done_at is not None]
    assert done.attempts == 2


def pending_or_done(bot) -> list[Timer]:
    with bot.ctx.sessions() as session:
        return list(session.scalars(select(Timer)))
