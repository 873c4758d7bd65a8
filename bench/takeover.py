"""Benchmark: a worker killed (SIGKILL) while it sends a page; how long until another finishes it.

    python -m bench.takeover [--database-url URL] [--runs 5]

Production's own processes (`python -m bot worker`, production leases) on PostgreSQL. Each run
declares a sev1 whose level 1 escalates after 2 s; the level-2 page DM is slowed to 3 s at the
fake Slack so that it is on the wire when its worker dies. A second worker is started and ready
(listening for changes) before the first is killed. Printed: per run, seconds from the kill until
the page is recorded as sent by the survivor, and how many page DMs reached each person (one each:
nobody paged twice); PASS/FAIL against issue 12's target (< 10 s). The exit status is 0 either way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for `python bench/takeover.py`

from sqlalchemy import create_engine, select  # noqa: E402

from bench.declare import migrate  # noqa: E402
from bench.schema import DEFAULT_URL, own_schema  # noqa: E402
from bot.slack.ids import Action  # noqa: E402
from models import PageNotification  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402
from tests.integration.helpers import button_ids  # noqa: E402
from tests.integration.paging.test_takeover import CONFIG, to_dave  # noqa: E402  (the test's escalation)
from tests.processes import BotProcesses, signed_command, wait_for  # noqa: E402

TARGET = 10.0


def one_run(url: str, run: int) -> tuple[float, int, int]:
    """In a fresh database: seconds from the kill to the survivor's sent page; page DMs to level 1 and to level 2."""
    with FakeSlack() as fake, tempfile.TemporaryDirectory() as tmp_dir:
        fake.add_channel("incidents")
        for user in ("U01ALICE", "U04DAVE", "U03CAROL"):
            fake.add_user(user, name=user[3:].lower())
        fake.set_latency("chat.postMessage", 3, when=to_dave)
        bots = BotProcesses(url, fake, Path(tmp_dir), CONFIG)
        try:
            _, web = bots.web(RUN_WORKER="0")
            doomed = bots.worker()
            bots.wait_for_log(doomed, "listening for changes")
            signed_command(web, fake, f"declare sev1 Takeover run {run}")
            fake.wait_for_request("chat.postMessage", to_dave, timeout=30)
            survivor = bots.worker()
            bots.wait_for_log(survivor, "listening for changes")
            killed = bots.kill(doomed)
            engine = create_engine(url)
            try:
                def dave_paged() -> bool:
                    with engine.connect() as connection:
                        return connection.scalar(select(PageNotification.sent_at)
                                                 .where(PageNotification.user_id == "U04DAVE")) is not None

                wait_for(dave_paged, 60, "the survivor to send the level-2 page")
                took = time.monotonic() - killed
            finally:
                engine.dispose()
            fake.wait_for_call("chat.postMessage", lambda call: to_dave(call.args))
            return took, len(paged(fake, "U01ALICE")), len(paged(fake, "U04DAVE"))
        finally:
            bots.stop_all()


def paged(fake: FakeSlack, user: str) -> list[dict]:
    """The page DMs ``user`` received (a page carries an Acknowledge button)."""
    return [m for m in fake.messages(user) if Action.ACKNOWLEDGE in button_ids(m.get("blocks"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error("--database-url takes a postgresql URL: several workers need row locks")
    results = []
    for run in range(args.runs):
        with own_schema(args.database_url, "bench_takeover") as url:
            migrate(url)
            results.append(one_run(url, run))
    took = [seconds for seconds, _, _ in results]
    print(f"takeover: {args.runs} runs, a worker killed mid-page, PostgreSQL, production leases")
    for run, (seconds, alice, dave) in enumerate(results, 1):
        print(f"  run {run}: finished by the survivor {seconds:.1f} s after the kill; page DMs: level 1 {alice}, "
              f"level 2 {dave}")
    once = all(alice == 1 and dave == 1 for _, alice, dave in results)
    print(f"  median {statistics.median(took):.1f} s, max {max(took):.1f} s   "
          f"{'PASS' if max(took) < TARGET else 'FAIL'} (< {TARGET:.0f} s)")
    print(f"  {'PASS' if once else 'FAIL'}  nobody paged twice")


if __name__ == "__main__":
    main()
