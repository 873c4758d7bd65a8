"""Benchmark: who is on call, a 90-day calendar and the daily gap check, over many layered schedules.

    python -m bench.oncall [--database-url URL] [--lookups 2000]

The configuration has 50 schedules of 3 layers each (a daily day layer with hours in Europe/Rome, a
weekly layer in America/New_York with hours, a weekly night layer crossing midnight), 6 members a
layer; the database holds 1,000 overrides and 500 stretches of time off spread over the next 30 days.

  who is on call now   ``OnCallService.on_call`` (the pager's question: the change key, the rota as built,
                       the answer), ``--lookups`` times at instants spread over the next two weeks,
                       after one lookup per schedule: p50 and p99, target p99 <= 5 ms; and the lookup
                       just after a change (the rota built again), no target;
  90-day calendar      ``CalendarService.schedule_shifts`` and the iCalendar of one schedule: median of
                       10, target <= 100 ms;
  daily gap check      ``GapCheck.findings`` over all 50 schedules (14 days ahead): median of 3, target
                       <= 2 s.

Each prints PASS or FAIL; the exit status is 0 either way. Database: a temporary SQLite file by default;
a PostgreSQL URL runs in a schema of its own, ``bench_oncall``, dropped at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for `python bench/oncall.py`

from sqlalchemy import text  # noqa: E402

from bench.schema import own_schema  # noqa: E402
from bot.config import IncidentConfig  # noqa: E402
from bot.core.clock import ManualClock  # noqa: E402
from bot.core.db import make_engine, make_session_factory  # noqa: E402
from bot.paging.calendars import CalendarService  # noqa: E402
from bot.paging.gaps import GapCheck  # noqa: E402
from bot.paging.oncall import OnCallService  # noqa: E402
from bot.web.ics import ics  # noqa: E402
from models import Base  # noqa: E402
from models.oncall import Override, TimeOff  # noqa: E402

PG_SCHEMA = "bench_oncall"
NOW = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
SCHEDULES, MEMBERS = 50, 6


def person(schedule: int, layer: int, member: int) -> str:
    return f"U{schedule:02d}{layer}{member}X"


def config() -> IncidentConfig:
    days = {"days": "mon-fri", "start": "09:00", "end": "18:00"}
    schedules = {}
    for s in range(SCHEDULES):
        schedules[f"team-{s:02d}"] = {"layers": [
            {"name": "europe", "zone": "Europe/Rome", "rotation": "daily", "handoff": "09:00", "hours": days,
             "members": [person(s, 0, m) for m in range(MEMBERS)]},
            {"name": "americas", "zone": "America/New_York", "rotation": "weekly", "handoff": "mon 09:00",
             "hours": days, "members": [person(s, 1, m) for m in range(MEMBERS)]},
            {"name": "nights", "rotation": "weekly", "handoff": "mon 18:00",
             "hours": {"days": "mon-sun", "start": "18:00", "end": "09:00"},
             "members": [person(s, 2, m) for m in range(MEMBERS)]},
        ]}
    return IncidentConfig.model_validate({"timezone": "Europe/Rome", "schedules": schedules})


def fill(sessions, rng: random.Random) -> None:
    with sessions.begin() as session:
        for _ in range(1000):
            s, start = rng.randrange(SCHEDULES), NOW + timedelta(minutes=rng.randrange(30 * 24 * 60))
            session.add(Override(schedule=f"team-{s:02d}", user_id=person(s, rng.randrange(3), rng.randrange(MEMBERS)),
                                 starts_at=start, ends_at=start + timedelta(hours=rng.randrange(1, 48)),
                                 created_by="U00ADMIN", created_at=NOW))
        for _ in range(500):
            s, start = rng.randrange(SCHEDULES), NOW + timedelta(hours=rng.randrange(30 * 24))
            session.add(TimeOff(user_id=person(s, rng.randrange(3), rng.randrange(MEMBERS)), starts_at=start,
                                ends_at=start + timedelta(days=rng.randrange(1, 8)), created_at=NOW))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def run(url: str, lookups: int) -> None:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    rng = random.Random(19)
    fill(sessions, rng)
    settings = config()
    clock = ManualClock(NOW)
    oncall = OnCallService(sessions, settings, clock)
    names = list(settings.schedules)
    for name in names:  # warm up the connection pool, the zone caches and each schedule's built rota
        oncall.on_call(name)
    costs = []
    for _ in range(lookups):
        at = NOW + timedelta(minutes=rng.randrange(14 * 24 * 60))
        began = time.perf_counter()
        oncall.on_call(rng.choice(names), at)
        costs.append((time.perf_counter() - began) * 1000)
    floor = []
    for _ in range(lookups):  # what one trivial query through a session costs on this machine now
        began = time.perf_counter()
        with sessions() as session:
            session.execute(text("SELECT 1"))
        floor.append((time.perf_counter() - began) * 1000)
    p50, p99 = percentile(costs, 0.5), percentile(costs, 0.99)
    print(f"who is on call now ({lookups} lookups): p50 {p50:.2f} ms, p99 {p99:.2f} ms (target p99 <= 5 ms): "
          f"{verdict(p99 <= 5)}; one trivial query through a session meanwhile: p50 {percentile(floor, 0.5):.2f} ms, "
          f"p99 {percentile(floor, 0.99):.2f} ms")
    rebuilt = []
    for n in range(50):  # the first lookup after a change (an override added) builds the rota again
        with sessions.begin() as session:
            session.add(Override(schedule=names[n], user_id=person(n, 0, 0), starts_at=NOW + timedelta(days=20),
                                 ends_at=NOW + timedelta(days=21), created_by="U00ADMIN", created_at=NOW))
        began = time.perf_counter()
        oncall.on_call(names[n], NOW)
        rebuilt.append((time.perf_counter() - began) * 1000)
    print(f"who is on call just after a change ({len(rebuilt)} lookups, each after an override is added): "
          f"p50 {percentile(rebuilt, 0.5):.2f} ms, p99 {percentile(rebuilt, 0.99):.2f} ms (no target: once per change)")

    calendars = CalendarService(sessions, settings, clock, oncall)
    rounds, writing = [], []
    for _ in range(12):
        began = time.perf_counter()
        shifts = calendars.schedule_shifts("team-07")
        computed = time.perf_counter()
        body = ics("On call: team-07", shifts, NOW, "https://incidents.example.com")
        rounds.append((time.perf_counter() - began) * 1000)
        writing.append((time.perf_counter() - computed) * 1000)
    median = statistics.median(rounds[2:])
    print(f"90-day calendar of one schedule ({len(shifts)} shifts, {len(body) // 1024} KiB): median {median:.1f} ms, "
          f"of which icalendar writing {statistics.median(writing[2:]):.1f} ms (target <= 100 ms): "
          f"{verdict(median <= 100)}")

    gaps = GapCheck(sessions, settings, clock, oncall)
    rounds = []
    for _ in range(3):
        began = time.perf_counter()
        found = gaps.findings()
        rounds.append(time.perf_counter() - began)
    median = statistics.median(rounds)
    print(f"daily gap check, {SCHEDULES} schedules, 14 days ({len(found)} findings): median {median:.2f} s "
          f"(target <= 2 s): {verdict(median <= 2)}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--lookups", type=int, default=2000)
    args = parser.parse_args()
    if args.database_url:
        with own_schema(args.database_url, PG_SCHEMA) as url:
            run(url, args.lookups)
        return
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.db", args.lookups)


if __name__ == "__main__":
    main()
