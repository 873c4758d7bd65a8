"""Benchmark: an alert storm, as production runs it on PostgreSQL (one web, two workers).

    python -m bench.storm [--database-url URL] [--alerts 1000] [--seconds 60]

``--alerts`` Alertmanager alerts arrive in 30 notifications spread over ``--seconds`` (real
Alertmanager v4 bodies: a groupKey per notification, grouped by alertname and service, so a
service's notifications carry ten different groups), across 3 services; a tenth of them resolve
within the page delay. The fake Slack enforces Slack's rate tiers (tests/fakeslack/ratelimits.py)
and answers each call after ``--latency`` seconds; the web process (RUN_WORKER=0) and two
`python -m bot worker` processes run in processes of their own, the fake and the sender here.

Printed, with PASS/FAIL against issue 12's targets:
  webhook latency   p50/p99 of the notifications' POSTs, from sending to reading the 202 (p99 < 100 ms);
  incidents         how many were opened, per service (at most one per service and group);
  alerts            rows in the database against alerts sent (zero lost);
  Slack's limits    calls the fake refused with 429 (none), and each method's busiest minute;
  pages             page DMs per incident at level 1 (one, the policy does not renotify);
  in Slack          seconds from the last alert until every incident's Slack side was current
                    (within 2 minutes);
  peak RSS          of each process (VmHWM; < 200 MB).
The exit status is 0 either way. Percentiles: statistics.quantiles(n=100, method="inclusive").
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for `python bench/storm.py`

from sqlalchemy import create_engine, func, select  # noqa: E402

from bench.declare import bot_env, free_port, migrate, wait_healthy  # noqa: E402
from bench.schema import DEFAULT_URL, own_schema  # noqa: E402
from models import Alert, Incident, Page, PageNotification  # noqa: E402
from tests.driver import SIGNING_SECRET, http  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402

PG_SCHEMA = "bench_storm"
SERVICES = ("checkout", "search", "payments")
NOTIFICATIONS = 30
TOKEN = "bench-hook-token"
PEOPLE = ["U01ALICE", "U02BOB", "U03CAROL"]
CONFIG = {
    "schedules": {"primary": {"rotation": "weekly", "members": PEOPLE}},
    "escalation_policies": {"default": {"levels": [{"notify": [{"schedule": "primary"}], "escalate_after": "30m"},
                                                   {"notify": [{"user": "U03CAROL"}]}]}},
    "services": {name: {"escalation_policy": "default"} for name in SERVICES},
    "alerts": {"page_delay": "2m", "group_window": "5m"},
}


def notifications(alerts: int, seconds: float) -> list[tuple[float, dict]]:
    """(when, body) for the storm: firing notifications spread over ``seconds``, and resolutions of
    a tenth of the alerts 30 s after they fired (within the 2-minute page delay)."""
    per = -(-alerts // NOTIFICATIONS)
    schedule = []
    for n in range(NOTIFICATIONS):
        service = SERVICES[n % len(SERVICES)]
        name = f"Instance{n // len(SERVICES)}Down"
        fingerprints = [f"{n:02d}{i:03d}" for i in range(per) if n * per + i < alerts]
        at = seconds * n / NOTIFICATIONS
        schedule.append((at, body("firing", service, name, fingerprints)))
        resolving = fingerprints[: max(1, len(fingerprints) // 10)]
        schedule.append((at + 30, body("resolved", service, name, resolving)))
    return sorted(schedule, key=lambda item: item[0])


def body(status: str, service: str, name: str, fingerprints: list[str]) -> dict:
    return {"version": "4", "status": status, "receiver": "incident-bot",
            "groupKey": f'{{}}:{{alertname="{name}", service="{service}"}}', "alerts": [
                {"status": status, "labels": {"alertname": name, "service": service, "severity": "sev2",
                                              "instance": f"host-{f}"},
                 "annotations": {"summary": f"{name} on host-{f}"}, "fingerprint": f"fp{f}"} for f in fingerprints]}


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the fake Slack takes per call")
    args = parser.parse_args()
    plan = notifications(args.alerts, args.seconds)

    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp_dir, \
            own_schema(args.database_url, PG_SCHEMA) as url:
        tmp = Path(tmp_dir)
        migrate(url)
        fake.add_channel("incidents")
        for person in PEOPLE:
            fake.add_user(person, name=person[3:].lower())
        fake.latency = args.latency
        fake.enforce_tiers()
        config = tmp / "incidents.yaml"
        config.write_text(yaml.safe_dump(CONFIG))
        port = free_port()
        env = bot_env(PORT=str(port), DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SIGNING_SECRET,
                      SLACK_API_URL=fake.base_url, INCIDENT_CONFIG=str(config), WEBHOOK_TOKEN=TOKEN, RUN_WORKER="0")
        processes = {}
        with (tmp / "processes.log").open("wb") as out:
            for name, command in (("web", "web"), ("worker 1", "worker"), ("worker 2", "worker")):
                processes[name] = subprocess.Popen([sys.executable, "-m", "bot", command], cwd=ROOT, env=env,
                                                   stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_healthy(base, processes["web"])
            time.sleep(2)  # the workers' LISTEN (a missed NOTIFY would only wait for the 5 s sweep)
            latencies = send(base, plan)
            last_alert = time.monotonic()
            engine = create_engine(url)
            in_slack = wait_in_slack(engine, fake, timeout=180)
            caught_up = time.monotonic() - last_alert if in_slack else float("inf")
            rss = {name: peak_rss_mb(process.pid) for name, process in processes.items()}
            report(args, engine, fake, latencies, caught_up, rss)
            engine.dispose()
        finally:
            for process in processes.values():
                process.terminate()
                process.wait(30)


def send(base: str, plan: list[tuple[float, dict]]) -> list[float]:
    """POST each notification at its time; each POST's milliseconds."""
    import json
    started = time.monotonic()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}

    def post(item: tuple[float, dict]) -> float:
        at, notification = item
        time.sleep(max(0.0, started + at - time.monotonic()))
        response = http("POST", f"{base}/webhooks/alertmanager", json.dumps(notification).encode(), headers)
        if response.status != 202:
            raise RuntimeError(f"webhook answered {response.status}: {response.body[:300]!r}")
        return response.elapsed * 1000

    with ThreadPoolExecutor(max_workers=len(plan)) as pool:
        return list(pool.map(post, plan))


def wait_in_slack(engine, fake: FakeSlack, timeout: float) -> bool:
    """Until every incident's Slack side is current: synced to its revision, its summary pinned."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            behind = connection.scalar(select(func.count()).select_from(Incident).where(
                (Incident.synced_revision < Incident.revision) | (~Incident.transient & Incident.summary_pinned.is_(False))))
            total = connection.scalar(select(func.count()).select_from(Incident))
        if total and not behind:
            return True
        time.sleep(0.2)
    return False


def report(args, engine, fake: FakeSlack, latencies: list[float], caught_up: float, rss: dict[str, float]) -> None:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    with engine.connect() as connection:
        incidents = connection.execute(select(Incident.id, Incident.service, Incident.alerts_firing,
                                              Incident.alerts_resolved)).all()
        stored = connection.scalar(select(func.count()).select_from(Alert))
        pages = connection.execute(select(Page.incident_id, func.count(PageNotification.id))
                                   .join(PageNotification, PageNotification.page_id == Page.id)
                                   .where(PageNotification.level == 0).group_by(Page.incident_id)).all()
    p99 = statistics.quantiles(latencies, n=100, method="inclusive")[98]
    per_service = Counter(service for _, service, _, _ in incidents)
    refused = fake.rate_limited_calls()
    busiest = {method: fake.peak_rate(method) for method in sorted({c.method for c in fake.calls})}
    print(f"storm: {args.alerts} alerts in {NOTIFICATIONS} notifications over {args.seconds:g} s, "
          f"{len(SERVICES)} services, {args.latency * 1000:.0f} ms per Slack call, PostgreSQL, one web + two workers")
    print(f"  webhook latency   p50 {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms   {verdict(p99 < 100)} (< 100 ms)")
    print(f"  incidents         {len(incidents)}: " + ", ".join(f"{s} {n}" for s, n in sorted(per_service.items()))
          + f"   {verdict(all(n <= 1 for n in per_service.values()))} (at most one per service and group)")
    print(f"  alerts            {stored} stored of {args.alerts} sent   {verdict(stored == args.alerts)} (zero lost)")
    print(f"  Slack's limits    {len(refused)} calls refused with 429   {verdict(not refused)}; busiest minute: "
          + ", ".join(f"{m} {n}" for m, n in busiest.items()))
    page_counts = [n for _, n in pages]
    print(f"  pages             level-1 page DMs per incident: {page_counts}   "
          f"{verdict(bool(page_counts) and all(n == 1 for n in page_counts))} (one per incident)")
    print(f"  in Slack          every incident current {caught_up:.1f} s after the last alert   "
          f"{verdict(caught_up <= 120)} (within 2 minutes)")
    print("  peak RSS          " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in rss.items())
          + f"   {verdict(all(mb < 200 for mb in rss.values()))} (< 200 MB each)")


if __name__ == "__main__":
    random.seed(1)
    main()
