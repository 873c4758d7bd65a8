"""Scheduled jobs. APScheduler only ticks; the work to do lives in database rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.core.threads import pool_options
from bot.jobs.timers import TimerWorker, add_tick_job

JOB_THREADS = 10
"""APScheduler's default: jobs overlap (ticks of each lane, a wake-up, the periodic jobs)."""


@dataclass(frozen=True)
class Every:
    """A job run every ``seconds`` in each worker process (work that is not due at a moment a row knows)."""

    name: str
    seconds: int
    run: Callable[[], None]


def interval_scheduler(jobs: Sequence[Every], workers: Sequence[TimerWorker], blocking: bool = False) -> BaseScheduler:
    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(timezone="UTC", executors={"default": ThreadPoolExecutor(JOB_THREADS, pool_options("jobs"))})
    for job in jobs:
        scheduler.add_job(job.run, "interval", seconds=job.seconds, id=job.name, max_instances=1, coalesce=True)
    for worker in workers:
        add_tick_job(scheduler, worker)
    return scheduler
