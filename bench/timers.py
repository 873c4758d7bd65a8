"""Benchmark: what durable timers cost a worker, and how late they fire.

    python -m bench.timers [--database-url URL] [--incidents 100000] [--code-dir /tmp/base]

The database holds ``--incidents`` open incidents, each with two pending timers due in the next
two hours (an escalation and a renotify) and one done timer (history). A worker process of its own
(this module with ``--worker``; the real clock, bot/jobs/timers.TimerWorker) then measures:

  idle tick      what the scheduled job does every second when nothing is due: the claim (SELECT …
                 FOR UPDATE SKIP LOCKED) and when the next timer is due, ``tick_and_next_due()`` (one
                 transaction; a checkout without it: ``tick()`` then ``next_due()``); median of 300,
                 after 20 uncounted, in CPU time (time.process_time: the worker's only busy thread
                 then) and wall-clock; the two queries' plans (EXPLAIN ANALYZE) are printed first;
  100 due        ``tick()`` claiming, running (a handler that only records) and marking done 100
                 due timers; median of 10 rounds;
  lateness       fire time (the handler's clock) minus due time, with the real APScheduler job of
                 bot/jobs/timers.add_tick_job ticking every second:
                   ahead: 200 timers scheduled before the run, due spread at random over 10 s
                          (escalations and renotifies are scheduled minutes ahead);
                   short: then 50 timers, due spread at random over 10 s, each scheduled 0.1 s
                          before it is due, so that no tick has seen it: the bound that the
                          regular tick alone gives;
  peak RSS       the worker process's VmHWM (/proc/self/status) after each phase. (Not getrusage's
                 ru_maxrss: on Linux a child starts from its parent's peak, here the seeding's.)

With ``--code-dir`` (another checkout, e.g. main's) its worker runs first on the same rows, then
this checkout's. Targets (this checkout's): idle tick CPU <= 5 ms, lateness p99 <= 50 ms (ahead;
the short-notice figures are checked against "within 2 s"), RSS <= 150 MB; each prints PASS or
FAIL and the exit status is 0 either way. Percentiles: statistics.quantiles(samples, n=100,
method="inclusive").

Database: PostgreSQL by default; the tables live in a schema of their own, ``bench_timers``,
created before and dropped after the run (search_path set in the URL), so other tables in the same
database are left alone. A ``sqlite:///…`` URL is used as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = Path(os.environ.get("BENCH_CODE_DIR", ROOT))
"""The bot measured: this checkout, or (a worker started with --code-dir) another one."""
sys.path.insert(0, str(ROOT))  # for `python bench/timers.py`
sys.path.insert(0, str(CODE))

from apscheduler.schedulers.background import BackgroundScheduler  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from bench.schema import own_schema  # noqa: E402
from bot.core.clock import SystemClock  # noqa: E402
from bot.core.db import make_engine, make_session_factory  # noqa: E402
from bot.jobs.timers import TimerWorker, add_tick_job, schedule  # noqa: E402
from models import Base, Incident  # noqa: E402
from models.timer import Timer  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
"""bench.schema's, copied: with --code-dir the worker imports another checkout's bench package,
which may not have it."""
PG_SCHEMA = "bench_timers"
IDLE_TICKS, WARMUP_TICKS, DUE, DUE_ROUNDS = 300, 20, 100, 10
AHEAD, SHORT, SPREAD, SHORT_NOTICE = 200, 50, 10.0, 0.1
WORKER_TIMEOUT = 300


def percentile(samples: list[float], p: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU (this process: the worker is its only busy thread then) milliseconds of ``action``."""
    started, cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM): unlike getrusage's ru_maxrss, not inherited from the parent
    that seeded the database, whose peak a child's ru_maxrss starts from on Linux."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


# -- the worker process ----------------------------------------------------------------


def run_worker(url: str) -> dict:
    clock = SystemClock()
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    lateness: dict[int, float] = {}

    def record(timer: Timer) -> None:
        lateness[timer.id] = (clock.now() - timer.due_at).total_seconds()

    worker = TimerWorker(sessions, clock, {"page": record}, "bench-worker")

    def idle_tick() -> None:
        if hasattr(worker, "tick_and_next_due"):
            if worker.tick_and_next_due() is None:
                raise RuntimeError("no timer pending in the idle phase")
            return
        if worker.tick() != 0:
            raise RuntimeError("a timer was due in the idle phase")
        worker.next_due()

    def due_tick() -> None:
        if worker.tick() != DUE:
            raise RuntimeError(f"a tick did not run the {DUE} due timers")

    for _ in range(WARMUP_TICKS):
        idle_tick()
    idle = [timed(idle_tick) for _ in range(IDLE_TICKS)]

    rss = {"idle": peak_rss_mb()}
    due = []
    for _ in range(DUE_ROUNDS):
        with sessions.begin() as session:
            for _ in range(DUE):
                schedule(session, "page", clock.now() - timedelta(milliseconds=1))
        due.append(timed(due_tick)[0])
    rss["due"] = peak_rss_mb()
    lateness.clear()

    rng = random.Random(3)

    def wait_fired(ids: set[int]) -> None:
        deadline = time.monotonic() + 5
        while not ids <= lateness.keys() and time.monotonic() < deadline:
            time.sleep(0.05)

    scheduler = BackgroundScheduler(timezone="UTC")
    add_tick_job(scheduler, worker)
    scheduler.start()

    start = clock.now() + timedelta(seconds=1)
    with sessions.begin() as session:
        ahead = {schedule(session, "page", start + timedelta(seconds=rng.uniform(0, SPREAD))).id for _ in range(AHEAD)}
    time.sleep(1 + SPREAD)
    wait_fired(ahead)

    short: set[int] = set()  # each appears 0.1 s before it is due, as one the web process adds might
    start = clock.now() + timedelta(seconds=1)
    for due_at in sorted(start + timedelta(seconds=rng.uniform(0, SPREAD)) for _ in range(SHORT)):
        time.sleep(max(0.0, (due_at - clock.now()).total_seconds() - SHORT_NOTICE))
        with sessions.begin() as session:
            short.add(schedule(session, "page", due_at).id)
    wait_fired(short)
    scheduler.shutdown()
    engine.dispose()
    rss["lateness"] = peak_rss_mb()
    return {
        "idle_ms": [wall for wall, _ in idle],
        "idle_cpu_ms": [cpu for _, cpu in idle],
        "due_ms": due,
        "ahead_s": [lateness[i] for i in ahead if i in lateness],
        "short_s": [lateness[i] for i in short if i in lateness],
        "rss_mb": rss,
    }


# -- the driver ------------------------------------------------------------------------


def bench_database(url: str):
    """``url`` itself for SQLite; on PostgreSQL, a URL into PG_SCHEMA, dropped at the end."""
    return own_schema(url, PG_SCHEMA)


def seed(url: str, incidents: int) -> str:
    """The incidents and their timers; returns the server's name and version."""
    engine = make_engine(url)
    Base.metadata.create_all(engine, tables=[Incident.__table__, Timer.__table__])
    now = SystemClock().now()
    rng = random.Random(1)
    with engine.begin() as connection:
        connection.execute(insert(Incident), [
            {"id": i, "title": f"Incident {i}", "severity": "sev2", "declared_by": "U01ALICE", "declared_at": now,
             "invited_users": []} for i in range(1, incidents + 1)])
        connection.execute(insert(Timer), [
            {"kind": kind, "incident_id": i, "key": f"{kind}:{i}", "payload": {}, "attempts": 0,
             "due_at": now + timedelta(seconds=rng.uniform(600, 7200))}
            for i in range(1, incidents + 1) for kind in ("escalate", "renotify")])
        connection.execute(insert(Timer), [
            {"kind": "page", "incident_id": i, "payload": {}, "due_at": now - timedelta(minutes=5), "attempts": 1,
             "claimed_by": "earlier", "done_at": now - timedelta(minutes=5)} for i in range(1, incidents + 1)])
        if engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE incidents, timers"))
            version = connection.execute(text("SHOW server_version")).scalar_one().split()[0]
            server = f"PostgreSQL {version}"
        else:
            server = f"SQLite {connection.execute(text('SELECT sqlite_version()')).scalar_one()}"
    engine.dispose()
    return server


def check(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def explain(url: str) -> list[str]:
    """The query plans of an idle tick's two queries (the claim's and next_due's), as PostgreSQL runs them."""
    engine = make_engine(url)
    worker = TimerWorker(make_session_factory(engine), SystemClock(), {}, "bench-explain")
    now = SystemClock().now()
    lines = []
    with engine.connect() as connection:
        for name, query in (("claim", worker.due_query(now)), ("next_due", worker.next_due_query(now))):
            sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
            plan = connection.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")).scalars()
            lines += [f"  {name}: {' '.join(sql.split())}", *(f"    {line}" for line in plan)]
    engine.dispose()
    return lines


def report(server: str, incidents: int, results: dict[str, dict], plans: list[str]) -> None:
    print(f"timers on {server}: {incidents:,} open incidents, {2 * incidents:,} pending timers, {incidents:,} done; "
          f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(*plans, sep="\n")
    for name, result in results.items():
        idle, cpu, due, ahead, short = (result[k] for k in ("idle_ms", "idle_cpu_ms", "due_ms", "ahead_s", "short_s"))
        rss = result["rss_mb"]
        fired_all, within = len(ahead) == AHEAD, len(short) == SHORT and max(short) < 2
        p99 = percentile(ahead, 99) if fired_all else float("inf")
        mine = name == "this"
        mark = (lambda ok: f"   {check(ok)}") if mine else (lambda ok: "")
        print(f"{name}:")
        print(f"  idle tick (claim + next due), median of {len(idle)}: CPU {statistics.median(cpu):6.2f} ms, wall "
              f"{statistics.median(idle):6.2f} ms (p99 {percentile(idle, 99):.2f})   target CPU <= 5 ms"
              f"{mark(statistics.median(cpu) <= 5)}")
        print(f"  tick with {DUE} due, median of {len(due)}: {statistics.median(due):7.1f} ms "
              f"({statistics.median(due) / DUE:.2f} ms a timer: claim, re-check, handler, done)")
        print(f"  lateness, {AHEAD} timers scheduled ahead: p50 {percentile(ahead, 50) * 1000:6.1f} ms, "
              f"p99 {p99 * 1000:6.1f} ms, max {max(ahead) * 1000:6.1f} ms, {len(ahead)}/{AHEAD} fired"
              f"   target p99 <= 50 ms{mark(fired_all and p99 <= 0.05)}")
        print(f"  lateness, {SHORT} timers scheduled {SHORT_NOTICE} s before due: p50 {percentile(short, 50) * 1000:6.1f} ms, "
              f"p99 {percentile(short, 99) * 1000:6.1f} ms, max {max(short) * 1000:6.1f} ms, {len(short)}/{SHORT} fired"
              f"   all within 2 s{mark(within)}")
        print(f"  worker peak RSS (VmHWM) after idle {rss['idle']:.1f} MB, due {rss['due']:.1f} MB, lateness "
              f"{rss['lateness']:.1f} MB   target <= 150 MB{mark(rss['lateness'] <= 150)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help=f"PostgreSQL (the benchmark works in schema {PG_SCHEMA}) or SQLite; default {DEFAULT_URL}")
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--code-dir", type=Path, help="another checkout of the bot (e.g. main's), whose worker is "
                        "measured on the same rows, before this one's")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_worker(args.database_url)))
        return
    codes = ([("base", args.code_dir.resolve())] if args.code_dir else []) + [("this", ROOT)]
    results = {}
    with bench_database(args.database_url) as url:
        server = seed(url, args.incidents)
        plans = explain(url) if url.startswith("postgresql") else []
        for name, code in codes:
            done = subprocess.run([sys.executable, str(ROOT / "bench" / "timers.py"), "--worker", "--database-url", url],
                                  cwd=code, env=os.environ | {"BENCH_CODE_DIR": str(code)},
                                  capture_output=True, text=True, timeout=WORKER_TIMEOUT)
            if done.returncode:
                raise RuntimeError(f"the {name} worker process failed:\n{done.stderr}")
            results[name] = json.loads(done.stdout)
    report(server, args.incidents, results, plans)


if __name__ == "__main__":
    main()
