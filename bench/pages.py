"""Benchmark: 100 incidents paging at once, each step of four ways (push, SMS, call, e-mail) on time
and within the providers' rates, as production runs it on PostgreSQL (one web, two workers).

    python -m bench.pages [--database-url URL] [--incidents 100] [--provider-rate 100]

One person is on call; ``--incidents`` `/incident declare sev1` commands arrive at once (real
signed slash commands), so each pages them, and their rules are Slack at once, then push at 10 s,
SMS at 20 s, a call at 30 s and e-mail at 40 s. The fakes (tests/fakeslack with Slack's rate tiers
and 50 ms per call; tests/fakeproviders: Twilio, ntfy over HTTP, aiosmtpd for SMTP) run in this
process; the web (RUN_WORKER=0) and two `python -m bot worker` processes in processes of their own.
Each worker's ``send_rates`` is half of ``--provider-rate`` per way, so together they stay within it.

Printed, with PASS/FAIL against issue 13's targets:
  delivered     steps each fake received, per way (each exactly once: --incidents per way);
  on time       per way, the median and the worst of sent_at - due_at over the delivery rows
                (every step within 2 s of its due time);
  rates         per way, the busiest second the fake saw (within --provider-rate).
The exit status is 0 either way.
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(ROOT))  # for `python bench/pages.py`

from sqlalchemy import create_engine, func, select  # noqa: E402

from bench.declare import bot_env, free_port, migrate, wait_healthy  # noqa: E402
from bench.schema import DEFAULT_URL, own_schema  # noqa: E402
from models import PageDelivery  # noqa: E402
from tests.driver import SIGNING_SECRET  # noqa: E402
from tests.fakeproviders import FakeNtfy, FakeSmtp, FakeTwilio  # noqa: E402
from tests.fakeproviders import twilio as fake_twilio  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402
from tests.processes import signed_command  # noqa: E402

PG_SCHEMA = "bench_pages"
WAYS = ("push", "sms", "call", "email")
WORKERS = 2
RULES = [{"after": "0s", "via": "slack"}, {"after": "10s", "via": "push"}, {"after": "20s", "via": "sms"},
         {"after": "30s", "via": "call"}, {"after": "40s", "via": "email"}]


def busiest_second(arrivals: list[float]) -> int:
    """The most arrivals within any one second (a sliding window over the sorted times)."""
    times, most, start = sorted(arrivals), 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--incidents", type=int, default=100)
    parser.add_argument("--provider-rate", type=float, default=100, help="sends per second each provider allows")
    args = parser.parse_args()
    config = {"schedules": {"primary": {"rotation": "weekly", "members": ["U01ALICE"]}},
              "escalation_policies": {"default": {"levels": [{"notify": [{"schedule": "primary"}]}]}},
              "notification_rules": RULES, "send_rates": {way: args.provider_rate / WORKERS for way in WAYS}}

    with FakeSlack() as slack, FakeTwilio() as twilio, FakeNtfy() as ntfy, FakeSmtp() as smtp, \
            tempfile.TemporaryDirectory() as tmp_dir, own_schema(args.database_url, PG_SCHEMA) as url:
        tmp = Path(tmp_dir)
        migrate(url)
        slack.add_channel("incidents")
        slack.add_user("U01ALICE", name="alice")
        slack.latency = 0.05
        slack.enforce_tiers()
        slack.set_dnd("U01ALICE", time.time() + 3600)
        (tmp / "incidents.yaml").write_text(yaml.safe_dump(config))
        port = free_port()
        env = bot_env(PORT=str(port), DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SIGNING_SECRET,
                      SLACK_API_URL=slack.base_url, INCIDENT_CONFIG=str(tmp / "incidents.yaml"), RUN_WORKER="0",
                      PUBLIC_URL="https://bot.example.com", TWILIO_ACCOUNT_SID=fake_twilio.SID,
                      TWILIO_AUTH_TOKEN=fake_twilio.TOKEN, TWILIO_FROM=fake_twilio.FROM, TWILIO_API_URL=twilio.url,
                      NTFY_URL=ntfy.url, SMTP_URL=smtp.url)
        processes = []
        with (tmp / "processes.log").open("wb") as out:
            for command in ("web",) + ("worker",) * WORKERS:
                processes.append(subprocess.Popen([sys.executable, "-m", "bot", command], cwd=ROOT, env=env,
                                                  stdout=out, stderr=subprocess.STDOUT))
        try:
            base = f"http://127.0.0.1:{port}"
            wait_healthy(base, processes[0])
            for text in ("me phone +393471234567", "me push alice-pages", "me email alice@example.com"):
                signed_command(base, slack, text)
            time.sleep(2)  # the workers' LISTEN
            with ThreadPoolExecutor(max_workers=32) as pool:
                list(pool.map(lambda n: signed_command(base, slack, f"declare sev1 Outage {n}"), range(args.incidents)))
            engine = create_engine(url)
            done = wait_sent(engine, args.incidents * len(WAYS), timeout=120)
            time.sleep(3)  # anything sent twice would arrive now
            report(args, engine, twilio, ntfy, smtp, done)
            engine.dispose()
            problems = [line for line in (tmp / "processes.log").read_text().splitlines() if " WARNING " in line
                        or " ERROR " in line]
            print(f"  log         {len(problems)} warnings or errors" + "".join(f"\n    {p[:300]}" for p in problems[:8]))
        finally:
            for process in processes:
                process.terminate()
                process.wait(30)


def wait_sent(engine, expected: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.scalar(select(func.count()).where(PageDelivery.sent_at.is_not(None))) >= expected:
                return True
        time.sleep(0.5)
    return False


def report(args, engine, twilio: FakeTwilio, ntfy: FakeNtfy, smtp: FakeSmtp, done: bool) -> None:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    with engine.connect() as connection:
        rows = connection.execute(select(PageDelivery.method, PageDelivery.due_at, PageDelivery.sent_at,
                                         PageDelivery.attempts)).all()
    late: dict[str, list[float]] = {way: [] for way in WAYS}
    for method, due_at, sent_at, _ in rows:
        late[method].append((sent_at - due_at).total_seconds() if sent_at else float("inf"))
    received = {"push": len(ntfy.pushes), "sms": len(twilio.messages), "call": len(twilio.calls),
                "email": len(smtp.messages)}
    arrivals = {"push": [r.at for r in ntfy.requests if r.method == "POST"],
                "sms": [r.at for r in twilio.requests if r.path.endswith("/Messages.json") and r.method == "POST"],
                "call": [r.at for r in twilio.requests if r.path.endswith("/Calls.json")],
                "email": list(smtp.arrivals)}
    print(f"pages: {args.incidents} incidents paging one person at once, four ways each, PostgreSQL, one web + "
          f"{WORKERS} workers, provider rate {args.provider_rate:g}/s ({args.provider_rate / WORKERS:g}/s per worker)"
          + ("" if done else "; NOT ALL SENT within 120 s"))
    print("  delivered   " + ", ".join(f"{w} {received[w]}" for w in WAYS)
          + f"   {verdict(all(n == args.incidents for n in received.values()))} (each step once)")
    for way in WAYS:
        times = late[way] or [float("inf")]
        print(f"  on time     {way:<5} median {statistics.median(times):.2f} s, worst {max(times):.2f} s after due   "
              f"{verdict(len(late[way]) == args.incidents and max(times) <= 2)} (within 2 s)")
    busiest = {way: busiest_second(arrivals[way]) for way in WAYS}
    print("  rates       busiest second: " + ", ".join(f"{w} {busiest[w]}" for w in WAYS)
          + f"   {verdict(all(n <= args.provider_rate for n in busiest.values()))} (<= {args.provider_rate:g}/s)")
    retried = Counter(method for method, _, _, attempts in rows if attempts)
    print(f"  retried     steps a provider failed at least once: {dict(retried) or 'none'}")


if __name__ == "__main__":
    main()
