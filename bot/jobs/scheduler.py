"""Scheduled jobs. APScheduler only ticks; the work to do lives in database rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.jobs.timers import add_tick_job
from bot.jobs.wakeups import ChangeListener

if TYPE_CHECKING:
    from bot.app import AppContext

RETRY_SYNC_EVERY_SECONDS = 5
HANDOFF_CHECK_EVERY_SECONDS = 30


def retry_slack_sync(ctx: AppContext) -> None:
    """Hand every incident whose Slack side is behind, and due for a retry, to the effects."""
    if ctx.sync is None:
        return
    for incident_id in ctx.sync.due():
        ctx.effects.incident_changed(incident_id)


def announce_handoffs(ctx: AppContext) -> None:
    """DM whoever just came on call and tell the schedule's channel, once across all workers."""
    if ctx.notices is None:
        return
    for schedule, duty in ctx.oncall.due_handoffs():
        if ctx.oncall.claim_handoff(schedule, duty):
            ctx.notices.handoff(schedule, duty, ctx.config.schedules[schedule].channel)


def listen_for_changes(ctx: AppContext) -> ChangeListener | None:
    """On PostgreSQL, a process doing the Slack work hears of other processes' changes at once."""
    if ctx.sync is None or ctx.engine.dialect.name != "postgresql":
        return None
    listener = ChangeListener(ctx.settings.database_url, ctx.effects.incident_changed)
    listener.start()
    return listener


def make_scheduler(ctx: AppContext, blocking: bool = False) -> BaseScheduler:
    scheduler = BlockingScheduler(timezone="UTC") if blocking else BackgroundScheduler(timezone="UTC")
    scheduler.add_job(retry_slack_sync, "interval", seconds=RETRY_SYNC_EVERY_SECONDS, args=[ctx],
                      id="retry-slack-sync", max_instances=1, coalesce=True)
    scheduler.add_job(announce_handoffs, "interval", seconds=HANDOFF_CHECK_EVERY_SECONDS, args=[ctx],
                      id="announce-handoffs", max_instances=1, coalesce=True)
    ctx.digest.arm()  # the weekly retro digest's next row, if none is pending
    ctx.heartbeats.arm()  # deadlines as the file now says them; heartbeats removed from it settled
    add_tick_job(scheduler, ctx.timer_worker)
    add_tick_job(scheduler, ctx.step_worker)
    return scheduler
