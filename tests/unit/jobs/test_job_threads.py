"""The jobs run in threads named for the system too (``bot.core.threads``): in a worker's `top -H`
a busy tick or a stuck periodic job reads "jobs_3", not "python"."""

import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.jobs.scheduler import interval_scheduler


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the name back from /proc")
def test_a_job_runs_in_a_thread_the_system_calls_jobs():
    seen: list[str] = []
    ran = threading.Event()

    def probe() -> None:
        seen.append(Path(f"/proc/self/task/{threading.get_native_id()}/comm").read_text().strip())
        ran.set()

    scheduler = interval_scheduler([], [])
    # at once, and never removed: a one-off job's removal raced the shutdown in APScheduler's thread
    scheduler.add_job(probe, "interval", hours=1, next_run_time=datetime.now(UTC))
    scheduler.start()
    try:
        assert ran.wait(timeout=30)
    finally:
        scheduler.shutdown(wait=False)
    assert seen[0].startswith("jobs_")
