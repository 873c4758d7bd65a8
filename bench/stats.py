"""Benchmark: the retro figures on two years of history.

    python -m bench.stats [--database-url URL] [--incidents 100000] [--runs 7]

PostgreSQL, in a schema of its own (``bench_stats``, dropped at the end), filled by SQL
(generate_series) with ``--incidents`` incidents over the two years before 2026-11-30 12:00 UTC
(20 services, sev1-sev4, 5% transient alerts, 20% opened by an alert with an earlier startsAt;
acknowledged 1-30 min, mitigated or resolved within 5 h, so incidents of one service overlap), ten
timeline events each (1,000,000), one page each with three notifications (level 1, a renotify,
level 2: 300,000 page-log rows), then ANALYZE. Measured, medians of ``--runs`` after one warm-up,
with the app's own code (bot/retro):

  four-week stats    ``RetroService.headline("4w")``: what ``/incident stats`` answers (counts,
                     median and p90 timings, pages per person, uptime per service);
  week by week       ``RetroService.weekly()`` for four weeks: the web page's figures (per week and
                     per severity and service, pages per person and per day, rolling and 90-day
                     daily uptime);
  90-day uptime      ``figures.uptime`` per day for the last 90 days, every service;
  CSV export         ``python -m bot export pages`` for a year (~150,000 rows) and for a month, in a
                     process of its own: wall time and that process's peak RSS (equal RSS for a
                     month and a year: constant memory).

Each figure's queries are then run under EXPLAIN and the indexes their plans use are printed.
Targets: four-week stats and 90-day uptime < 500 ms each, the export's RSS < 150 MB; PASS or FAIL
each, exit status 0 either way.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for `python bench/stats.py`

from sqlalchemy import event, text  # noqa: E402

from bench.schema import DEFAULT_URL, own_schema  # noqa: E402
from bot.config import IncidentConfig  # noqa: E402
from bot.core.clock import ManualClock  # noqa: E402
from bot.core.db import make_engine, make_session_factory  # noqa: E402
from bot.retro import figures  # noqa: E402
from bot.retro.periods import days  # noqa: E402
from bot.retro.service import RetroService  # noqa: E402
from bot.retro.sql import without_jit  # noqa: E402
from models import Base  # noqa: E402

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
TARGET_MS, TARGET_MB = 500, 150

FILL = [
    """INSERT INTO incidents (id, title, severity, status, service, declared_by, declared_at, acknowledged_by,
           acknowledged_at, mitigated_at, resolved_at, transient, alerts_firing, alerts_resolved, invited_users,
           summary_pinned, revision, synced_revision, sync_failures)
       SELECT i, 'Incident ' || i, 'sev' || (1 + i % 4), 'resolved', 'service-' || (i % 20),
              CASE WHEN i % 5 = 0 THEN 'alertmanager' ELSE 'U0' || (i % 12) END, d,
              CASE WHEN i % 20 <> 0 THEN 'U0' || (i % 12) END,
              CASE WHEN i % 20 <> 0 THEN d + (1 + i % 30) * interval '1 minute' END,
              CASE WHEN i % 3 <> 0 AND i % 20 <> 0 THEN d + (10 + i % 170) * interval '1 minute' END,
              d + (30 + i % 270) * interval '1 minute', i % 20 = 0, 0, 0, '[]', false, 1, 1, 0
       FROM (SELECT i, :start + (i * :step + (i * 7919) % 600) * interval '1 second' AS d
             FROM generate_series(1, :n) AS i) AS s""",
    """INSERT INTO alerts (source, dedup_key, incident_id, title, firing, fired_at, last_seen_at, resolved_at,
           started_at, payload)
       SELECT 'alertmanager', 'k' || id, id, title, false, declared_at, declared_at, resolved_at,
              declared_at - (1 + id % 10) * interval '1 minute', '{}'
       FROM incidents WHERE id % 5 = 0""",
    """INSERT INTO timeline_events (incident_id, at, actor, kind, text, data, announce)
       SELECT id, declared_at + e * interval '1 minute', 'U01', 'note', 'Note ' || e || ' on incident ' || id, '{}', false
       FROM incidents, generate_series(1, 10) AS e""",
    """INSERT INTO pages (id, incident_id, policy, reason, cause, state, level, cycle, started_at, starts_at,
           acknowledged_by, acknowledged_at)
       SELECT id, id, 'default', 'declared', CASE WHEN id % 5 = 0 THEN 'alert' ELSE 'declared' END, 'acknowledged',
              1, 0, declared_at, declared_at, acknowledged_by, acknowledged_at
       FROM incidents WHERE NOT transient""",
    """INSERT INTO pages (id, incident_id, policy, reason, cause, state, level, cycle, started_at, starts_at)
       SELECT id, id, 'default', 'command', 'command', 'ended', 1, 0, declared_at, declared_at
       FROM incidents WHERE transient""",
    """INSERT INTO page_notifications (page_id, user_id, level, target, renotify, created_at, sent_at, failures,
           out_of_hours)
       SELECT p.id, 'U0' || ((p.id + n) % 12), CASE WHEN n = 3 THEN 1 ELSE 0 END, 'schedule:primary', n = 2,
              p.started_at + n * interval '2 minutes', p.started_at + n * interval '2 minutes', 0,
              extract(hour FROM p.started_at) NOT BETWEEN 8 AND 16
       FROM pages AS p, generate_series(1, 3) AS n""",
    "SELECT setval(pg_get_serial_sequence('incidents', 'id'), (SELECT max(id) FROM incidents))",
    "SELECT setval(pg_get_serial_sequence('pages', 'id'), (SELECT max(id) FROM pages))",
    "ANALYZE",
]


def fill(engine, incidents: int) -> dict[str, int]:
    start = datetime(2024, 11, 30, 12, 0, tzinfo=timezone.utc)
    step = int((NOW - start).total_seconds()) // incidents
    with engine.begin() as connection:
        for statement in FILL:
            connection.execute(text(statement), {"start": start, "step": step, "n": incidents})
        return {table: connection.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in ("incidents", "timeline_events", "pages", "page_notifications", "alerts")}


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def indexes_used(engine, action: Callable[[], object]) -> list[str]:
    """Run ``action`` once, catching its SQL, then EXPLAIN each statement: the indexes the plans use."""
    caught: list[tuple[str, object]] = []

    def catch(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            caught.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", catch)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", catch)
    used = []
    with engine.connect() as connection:
        for statement, parameters in caught:
            plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars().all()
            names = sorted({m[1] for line in plan for m in [re.search(r"Index (?:Only )?Scan (?:Backward )?using (\w+)"
                                                                       r"|Bitmap Index Scan on (\w+)", line)] if m
                            for m in [(None, m[1] or m[2])]})
            seq = sorted({m[1] for line in plan if (m := re.search(r"Seq Scan on (\w+)", line))})
            used.append(f"indexes {', '.join(names) or 'none'}" + (f"; sequential scans of {', '.join(seq)}" if seq else ""))
    return used


def export(url: str, since: str, until: str, out: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and rows of ``python -m bot export pages`` in a process of its own."""
    probe = ("import resource, runpy, sys; sys.argv = ['bot'] + sys.argv[1:]\n"
             "try:\n    runpy.run_module('bot', run_name='__main__')\n"
             "finally:\n    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", probe, "export", "pages", "--since", since, "--until", until,
                             "--out", str(out)], cwd=ROOT, capture_output=True, text=True, check=False,
                            env={**os.environ, "DATABASE_URL": url, "INCIDENT_CONFIG": str(ROOT / "absent.yaml")})
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"export failed: {result.stderr}")
    rss = int(result.stderr.strip().splitlines()[-1]) / 1024
    with out.open() as lines:
        rows = sum(1 for _ in lines) - 1
    return wall, rss, rows


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        raise SystemExit("bench.stats fills the tables with PostgreSQL's generate_series: give a postgresql URL")
    with own_schema(args.database_url, "bench_stats") as url:
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        started = time.perf_counter()
        counts = fill(engine, args.incidents)
        print(f"filled in {time.perf_counter() - started:.1f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        config = IncidentConfig.model_validate({"timezone": "Europe/Rome"})
        retro = RetroService(make_session_factory(engine), config, ManualClock(NOW))
        sessions = make_session_factory(engine)
        services = [f"service-{n}" for n in range(20)]

        def uptime_90_days() -> None:
            with sessions() as session:
                without_jit(session)  # as the app's reads do (bot/retro/sql.py says why)
                figures.uptime(session, config.downtime_severities(), days(NOW, config.tz), services, NOW)

        measured = [("four-week stats (/incident stats)", lambda: retro.headline("4w"), TARGET_MS),
                    ("90-day uptime, per day", uptime_90_days, TARGET_MS),
                    ("week by week, four weeks (the web page)", lambda: retro.weekly(), None)]
        for name, action, target in measured:
            ms = median_ms(action, args.runs)
            tail = f" (target < {target} ms): {verdict(ms < target)}" if target else ""
            print(f"{name}: median {ms:.1f} ms{tail}")
            for number, plan in enumerate(indexes_used(engine, action), 1):
                print(f"    query {number}: {plan}")
        out = Path(f"/tmp/bench-stats-{os.getpid()}.csv")
        try:
            for label, since in (("a month", "2026-10-30"), ("a year", "2025-11-30")):
                wall, rss, rows = export(url, since, "2026-11-29", out)
                print(f"CSV export of {label}: {rows:,} rows in {wall:.1f} s, peak RSS {rss:.1f} MB "
                      f"(target < {TARGET_MB} MB): {verdict(rss < TARGET_MB)}")
        finally:
            out.unlink(missing_ok=True)
        print("this process's peak RSS: "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")
        engine.dispose()


if __name__ == "__main__":
    main()
