"""Benchmark: drafting and rendering the report of a long incident, and the canvas's size.

    python -m bench.report [--database-url URL] [--events 5000] [--rounds 20]

The database holds one resolved incident with ``--events`` timeline events (notes and updates
mentioning people, pages, acknowledgements, role changes, :pushpin: messages with permalinks, one
line of 120 to 300 characters each), 12 role assignments, 40 pages, 30 action items and a filled
report. Each round renders the report three ways, each from a fresh draft, as a request does:

  web page     ``ReportService.draft`` (the rows, one session; the draft) and ``Pages.render`` of
               ``report.html`` (``GET /incidents/<n>/report``), naming people from the directory;
  Markdown     the draft and ``report_markdown``, everything, unfolded, naming people as ``report.md`` does;
  canvas       the draft and ``canvas_markdown``, the timeline folded under 1 MiB (the sync's canvas step).

Medians of ``--rounds`` rounds after two uncounted, wall clock (and the maximum) and this process's
CPU time (``time.process_time``: what the rendering costs when the machine is shared). Targets:
each wall-clock median < 200 ms; the canvas's Markdown under Slack's 1 MiB (1,048,576 characters), also when every event
is a 3,000-character note (the longest a Slack section holds). Each prints PASS or FAIL; the exit
status is 0 either way.

Database: a temporary SQLite file by default; a PostgreSQL URL runs in a schema of its own,
``bench_report``, dropped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for `python bench/report.py`

from bench.schema import own_schema  # noqa: E402
from bot.config import IncidentConfig  # noqa: E402
from bot.core.clock import ManualClock  # noqa: E402
from bot.core.db import make_engine, make_session_factory  # noqa: E402
from bot.people import PeopleDirectory  # noqa: E402
from bot.reports.report import Draft, ReportService  # noqa: E402
from bot.reports.review import ReviewService  # noqa: E402
from bot.slack.canvas import CANVAS_LIMIT, canvas_markdown, report_markdown  # noqa: E402
from bot.web.pages import Pages  # noqa: E402
from models import (  # noqa: E402
    ActionItem,
    Base,
    Incident,
    Page,
    PageNotification,
    Person,
    Report,
    RoleAssignment,
    TimelineEvent,
)

PG_SCHEMA = "bench_report"
START = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
PEOPLE = [f"U{n:02d}PERSON" for n in range(1, 13)]
URL = "https://incidents.example.com/incidents/1/report"
TARGET_MS = 200


def seed(sessions, events: int, note: str | None = None) -> int:
    """One resolved incident with ``events`` timeline events (each ``note`` if given), its people, pages,
    action items and report; the people known to the directory, as once Slack has told their names."""
    with sessions() as session, session.begin():
        for n, person in enumerate(PEOPLE):
            if session.get(Person, person) is None:
                session.add(Person(user_id=person, name=f"Ana Example {n + 1}", real_name=f"Ana Example {n + 1}",
                                   tz="Europe/Rome", gone=False, fetched_at=START))
        end = START + timedelta(seconds=events * 3)
        incident = Incident(title="Checkout is down for EU card payments", severity="sev1", status="resolved",
                            service="checkout", declared_by=PEOPLE[0], declared_at=START, acknowledged_by=PEOPLE[1],
                            acknowledged_at=START + timedelta(minutes=1), mitigated_at=START + timedelta(minutes=30),
                            resolved_at=end, resolution_summary="Rolled back deploy 42", invited_users=[],
                            channel_id=f"C0BENCH{note is not None:d}")
        session.add(incident)
        session.flush()
        for n, person in enumerate(PEOPLE):
            ended = START + timedelta(minutes=10 * (n + 1)) if n < len(PEOPLE) - 2 else None
            session.add(RoleAssignment(incident_id=incident.id, role="commander" if n % 2 == 0 else "comms_lead",
                                       user_id=person, assigned_by=PEOPLE[0], started_at=START + timedelta(minutes=10 * n),
                                       ended_at=ended))
        for n in range(40):
            page = Page(incident_id=incident.id, policy="default", reason="declared sev1", requested_by=PEOPLE[0],
                        state="acknowledged", level=n % 3, started_at=START, starts_at=START,
                        acknowledged_by=PEOPLE[n % 12], acknowledged_at=START + timedelta(minutes=n))
            page.notifications = [PageNotification(user_id=PEOPLE[(n + k) % 12], level=k, target="schedule primary",
                                                   created_at=START + timedelta(minutes=n, seconds=k)) for k in range(3)]
            session.add(page)
        session.add_all(TimelineEvent(incident_id=incident.id, at=START + timedelta(seconds=3 * n), actor=PEOPLE[n % 12],
                                      **_event(n, note)) for n in range(events))
        session.add_all(ActionItem(incident_id=incident.id, number=n + 1, text=f"Follow-up {n + 1}: add a canary for region {n}",
                                   owner=PEOPLE[n % 12], priority=f"p{n % 3 + 1}", type="corrective",
                                   due_on=date(2026, 12, 1) + timedelta(days=n), created_by=PEOPLE[0], created_at=end,
                                   done_at=end if n % 4 == 0 else None) for n in range(30))
        session.add(Report(incident_id=incident.id, impact="30% of EU card payments failed.\n" * 20,
                           root_cause="A 1 s client timeout. " * 50, resolution="Rolled back.", went_well="Paging.",
                           went_badly="Canary regions.", lucky="Low traffic.", requested_at=end))
    return incident.id


def _event(n: int, note: str | None) -> dict:
    """A mix of what a long incident's timeline holds, ~120-300 characters a line."""
    if note is not None:
        return {"kind": "note", "text": note, "data": {}}
    who, other = PEOPLE[n % 12], PEOPLE[(n + 5) % 12]
    kind = ("note", "update", "paged", "acknowledged", "pinned", "role_assigned")[n % 6]
    if kind == "pinned":
        return {"kind": kind, "text": f":pushpin: <@{other}>: error rate at {n % 97}% on eu-west-1, checking the "
                                       f"payment client's retries (pinned by <@{who}>)",
                "data": {"author": other, "permalink": f"https://acme.slack.com/archives/C0BENCH/p{1_700_000_000 + n}"}}
    texts = {
        "note": f"Checked the payment gateway dashboards again; <@{other}> is rolling back canary batch {n} & "
                f"watching p99 latency, which is at {n % 900} ms.",
        "update": f"Card payments still fail for some EU users; rollback of deploy 42 is {n % 100}% done. Next update "
                  "in 20 minutes.",
        "paged": f"Paged <@{other}>: level {n % 3 + 1} of `default` (declared sev1)",
        "acknowledged": f"<@{who}> acknowledged the page for INC-1",
        "role_assigned": f"<@{who}> handed the Communication Lead role to <@{other}>",
    }
    return {"kind": kind, "text": texts[kind], "data": {"status": "investigating"} if kind == "update" else {}}


def timed(action) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of ``action()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


REQUEST = Request({"type": "http", "method": "GET", "path": "/incidents/1/report", "headers": [], "query_string": b""})


def services(sessions, clock: ManualClock) -> tuple[ReportService, Pages, PeopleDirectory]:
    """The report service, and the pages naming people from the directory, wired as the bot wires them."""
    config = IncidentConfig(timezone="Europe/Rome")
    people = PeopleDirectory(sessions, clock)
    reports = ReportService(sessions, config, clock, ReviewService(sessions, config, clock))
    return reports, Pages(config.tz, "https://incidents.example.com", people), people


def page(pages: Pages, draft: Draft) -> HTMLResponse:
    """The report's web page as its route renders it (``Pages.render``, people named from the directory)."""
    return pages.render(REQUEST, "report.html", draft=draft, markdown_url=f"{URL}.md")


def markdown(draft: Draft, people: PeopleDirectory) -> str:
    """``report.md`` as its route writes it, each person named."""
    return report_markdown(draft, URL, people.reader().name)


def measure(reports: ReportService, pages: Pages, people: PeopleDirectory, incident_id: int,
            rounds: int) -> dict[str, list[tuple[float, float]]]:
    paths = {
        "web page": lambda draft: page(pages, draft),
        "Markdown": lambda draft: markdown(draft, people),
        "canvas": lambda draft: canvas_markdown(draft, URL),
    }
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in paths}
    for round_ in range(rounds + 2):
        for name, render in paths.items():
            took = timed(lambda render=render: render(reports.draft(incident_id)))
            if round_ >= 2:
                samples[name].append(took)
    return samples


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def run(url: str, events: int, rounds: int) -> None:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    reports, pages, people = services(sessions, ManualClock(START + timedelta(days=1)))

    incident_id = seed(sessions, events)
    samples = measure(reports, pages, people, incident_id, rounds)
    draft = reports.draft(incident_id)
    whole, canvas = report_markdown(draft, URL), canvas_markdown(draft, URL)
    longest = seed(sessions, events, note="x" * 3000)
    heavy = canvas_markdown(reports.draft(longest), URL)
    engine.dispose()

    server = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"report of one incident on {server}: {events:,} timeline events, medians of {rounds} rounds")
    for name, values in samples.items():
        wall, cpu = (statistics.median(v[k] for v in values) for k in (0, 1))
        print(f"  {name:<9} wall {wall:6.1f} ms (max {max(v[0] for v in values):.1f}), CPU {cpu:6.1f} ms; "
              f"target < {TARGET_MS} ms: {verdict(wall < TARGET_MS)}")
    print(f"Markdown file {len(whole.encode()):,} bytes; canvas {len(canvas):,} characters, "
          f"{canvas.count(chr(10) + '- `'):,} timeline lines shown (limit {CANVAS_LIMIT:,}): "
          f"{verdict(len(canvas) <= CANVAS_LIMIT)}")
    print(f"every event a 3,000-character note: canvas {len(heavy):,} characters, "
          f"{heavy.count(chr(10) + '- `'):,} timeline lines shown: {verdict(len(heavy) <= CANVAS_LIMIT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    if args.database_url:
        with own_schema(args.database_url, PG_SCHEMA) as url:
            run(url, args.events, args.rounds)
        return
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/report.db", args.events, args.rounds)


if __name__ == "__main__":
    main()
