"""Benchmark: heartbeats at scale — what a check-in costs, that the tables stay the same size, and
that a missed deadline fires on time, never early.

    python -m bench.heartbeats [--database-url URL] [--heartbeats 1000] [--seconds 120]

``--heartbeats`` heartbeats (every 10s, grace 2s, one service, so the late ones group into one
incident) each check in every 10 s, spread evenly over the period, from 8 threads calling
``HeartbeatService.check_in`` (the write a ``POST /heartbeats/<name>`` makes, without HTTP); a
tenth of them stop checking in halfway; the worker stops with the run, before the others' last
deadlines. The real worker (bot/jobs/timers.add_tick_job on an
APScheduler, the wired ``TimerWorker`` and its handlers) runs in a process of its own, as
``python -m bot worker`` does beside the web processes that take the check-ins, ticking every second.

  check-in p99   statistics.quantiles(latencies, n=100, method="inclusive")[98] over every check-in;
  growth         rows of ``heartbeats`` and ``timers`` after the first period and at the end (the
                 check-ins in between must add none; each missed deadline is one timer row done);
                 PostgreSQL's on-disk size is printed too (updates leave dead tuples until vacuum);
  lateness       for each heartbeat that stopped: when its alert fired (``late_since``, the
                 handler's clock) minus its deadline (last check-in + every + grace);
  early          a heartbeat late before its deadline, or one that kept checking in fired at all.

Targets: check-in p99 <= 20 ms, no growth, every missed deadline fired within 2 s, none early.
Each prints PASS or FAIL; the exit status is 0 either way.

Database: PostgreSQL by default, in a schema of its own (``bench_heartbeats``), dropped after.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for `python bench/heartbeats.py`

from apscheduler.schedulers.background import BackgroundScheduler  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from bench.schema import DEFAULT_URL, own_schema  # noqa: E402
from bot.app import build_context  # noqa: E402
from bot.config import IncidentConfig, load_settings  # noqa: E402
from bot.jobs.timers import add_tick_job  # noqa: E402
from models import Base, Heartbeat, Timer  # noqa: E402

PG_SCHEMA = "bench_heartbeats"
EVERY, GRACE = 10, 2
THREADS = 8
TARGET_P99_MS = 20
TARGET_LATE_S = 2.0
DISK = "select pg_total_relation_size('heartbeats') + pg_total_relation_size('timers')"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def heartbeats_config(names: list[str]) -> IncidentConfig:
    return IncidentConfig.model_validate({
        "services": {"batch": {}},
        "heartbeats": {name: {"every": f"{EVERY}s", "grace": f"{GRACE}s", "service": "batch", "severity": "sev3"}
                       for name in names}})


def worker(url: str, names: list[str], started, stop) -> None:
    """The worker's process: the wired timers on a ticking scheduler until ``stop`` is set."""
    logging.getLogger("apscheduler").setLevel(logging.ERROR)  # a tick longer than a second is measured, not logged
    ctx = build_context(load_settings({"DATABASE_URL": url}), heartbeats_config(names))
    scheduler = BackgroundScheduler(timezone="UTC")
    add_tick_job(scheduler, ctx.timer_worker)
    scheduler.start()
    started.set()
    stop.wait()
    scheduler.shutdown(wait=True)
    ctx.close()


def run(url: str, count: int, seconds: int) -> None:
    names = [f"job-{n:04d}" for n in range(count)]
    stopping = set(names[::10])
    ctx = build_context(load_settings({"DATABASE_URL": url}), heartbeats_config(names))
    Base.metadata.create_all(ctx.engine)
    latencies: list[float] = []
    lock = threading.Lock()
    half = seconds / 2

    def checker(mine: list[tuple[int, str]]) -> None:
        ticks = 0
        while True:
            for index, name in mine:
                due = begun + ticks * EVERY + index * EVERY / count
                if due - begun >= seconds:
                    return
                if name in stopping and due - begun >= half:
                    continue
                time.sleep(max(0.0, due - time.monotonic()))
                started = time.perf_counter()
                ctx.heartbeats.check_in(name)
                with lock:
                    latencies.append(time.perf_counter() - started)
            ticks += 1

    baseline = []
    for _ in range(200):  # the machine's floor, in the same run: an empty transaction, one at a time
        started = time.perf_counter()
        with ctx.sessions() as session, session.begin():
            session.execute(text("select 1"))
        baseline.append(time.perf_counter() - started)
    spawn = multiprocessing.get_context("spawn")
    ready, stop = spawn.Event(), spawn.Event()
    process = spawn.Process(target=worker, args=(url, names, ready, stop))
    process.start()
    if not ready.wait(120):
        raise RuntimeError("the worker's process did not start within 120 s")
    begun = time.monotonic()
    indexed = list(enumerate(names))
    threads = [threading.Thread(target=checker, args=(indexed[n::THREADS],)) for n in range(THREADS)]
    for thread in threads:
        thread.start()

    def sizes() -> tuple[int, int, str]:
        with ctx.sessions() as session:
            beats = session.scalar(select(func.count()).select_from(Heartbeat))
            timers = session.scalar(select(func.count()).select_from(Timer))
            disk = "n/a"
            if ctx.engine.dialect.name == "postgresql":
                size = session.scalar(text(DISK))
                disk = f"{size // 1024} KiB"
        return beats, timers, disk

    time.sleep(max(0.0, begun + EVERY + 1 - time.monotonic()))
    first = sizes()
    time.sleep(max(0.0, begun + seconds - 1 - time.monotonic()))
    before_end = sizes()
    for thread in threads:
        thread.join()
    stop.set()  # before the others' deadlines: only the halfway stops are missed
    process.join()
    last = sizes()

    with ctx.sessions() as session:
        rows = {row.name: row for row in session.scalars(select(Heartbeat))}
    late, early = [], []
    for name, row in rows.items():
        if not row.late:
            if name in stopping:
                late.append(float("inf"))  # missed, never fired
            continue
        lateness = (row.late_since - (row.last_checkin_at + timedelta(seconds=EVERY + GRACE))).total_seconds()
        if lateness < 0:
            early.append(f"{name} {-lateness:.3f}s early")
        elif name not in stopping:
            early.append(f"{name} fired though it kept checking in")
        else:
            late.append(lateness)
    p99 = statistics.quantiles(latencies, n=100, method="inclusive")[98] * 1000
    median = statistics.median(latencies) * 1000
    missed_timers = len(stopping)
    grew = before_end[0] != first[0] or before_end[1] > first[1] + missed_timers
    print(f"{count} heartbeats every {EVERY}s for {seconds}s on {ctx.engine.dialect.name}: "
          f"{len(latencies)} check-ins")
    print(f"check-in     median {median:.1f} ms, p99 {p99:.1f} ms (target <= {TARGET_P99_MS} ms)  "
          f"{verdict(p99 <= TARGET_P99_MS)}")
    print(f"  floor: an empty transaction alone, before the run: median {statistics.median(baseline) * 1000:.1f} ms, "
          f"p99 {statistics.quantiles(baseline, n=100, method='inclusive')[98] * 1000:.1f} ms")
    print(f"growth       after one period -> at the end of the run: heartbeats {first[0]} -> {before_end[0]} rows, "
          f"timers {first[1]} -> {before_end[1]} rows ({missed_timers} deadlines missed meanwhile), on disk "
          f"{first[2]} -> {before_end[2]} ({last[1]} timer rows at the end)  {verdict(not grew)}")
    worst = max(late) if late else 0.0
    print(f"lateness     {len(late)} missed deadlines (of {len(stopping)} stopped halfway): median "
          f"{statistics.median(late) if late else 0:.3f} s, worst {worst:.3f} s (target <= {TARGET_LATE_S} s)  "
          f"{verdict(len(late) == len(stopping) and worst <= TARGET_LATE_S)}")
    print(f"early        {len(early)} fired early or needlessly  {verdict(not early)}")
    for problem in early[:5]:
        print(f"  {problem}")
    ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--heartbeats", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=120)
    args = parser.parse_args()
    with own_schema(args.database_url, PG_SCHEMA) as url:
        run(url, args.heartbeats, args.seconds)


if __name__ == "__main__":
    main()
