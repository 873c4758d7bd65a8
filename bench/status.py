"""Benchmark: the status page under an outage's readers, while declares keep being acked.

`python -m bot web` (RUN_WORKER=0, a configuration with two status page components) is served by
a process of its own, on a freshly migrated database (a SQLite file by default; with
--database-url PostgreSQL, in a schema of its own, bench/schema.py); the fake Slack (50 ms per
Web API call) and the clients stay in this process. Two public incidents are on the page first
(declared with public impact, then given a public update through the form), so it has something
to render.

Then, for ``--seconds``: ``--readers`` readers (200), each an asyncio keep-alive connection that
GETs /status as a browser does (``Accept-Encoding: gzip, deflate, br``; the size printed is what
came over the wire), waits ``--think`` seconds (0.5 s, a person refreshing during an outage; each
reader starts at a random point of its first wait), and again; meanwhile one
`/incident declare sev2` every 0.5 s, sent by a thread (each new incident invalidates the
page's cache in the server). A reader's latency is from sending the request to reading the
whole body; a declare's, from sending the command to reading its answer.
Targets: readers' p99 < 50 ms, declares' p99 < 300 ms. Percentiles as in bench/declare.py.
Prints PASS or FAIL; the exit status is 0 either way.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.declare import ANNOUNCE, USER, cpu_seconds, fresh_database, percentile, served, verdict  # noqa: E402
from bench.machine import core_speed  # noqa: E402
from bot.slack.ids import DeclareField, PublicField  # noqa: E402
from bot.slack.ids import View as ViewId  # noqa: E402
from tests.driver import http  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402

CONFIG = """
services: {checkout: {}, search: {}}
status_page:
  title: Bench status
  components:
    - {name: Checkout, services: [checkout]}
    - {name: Search, services: [search]}
"""


def seed(bot, url: str) -> None:
    """Two public incidents, each with a public update, on the page before the readers come."""
    for number, service in enumerate(("checkout", "search"), 1):
        bot.submit_view(ViewId.DECLARE, {
            DeclareField.TITLE: {DeclareField.TITLE: {"type": "plain_text_input", "value": f"Internal {service}"}},
            DeclareField.SEVERITY: {DeclareField.SEVERITY: {"type": "static_select", "selected_option": {"value": "sev2"}}},
            DeclareField.SERVICE: {DeclareField.SERVICE: {"type": "static_select", "selected_option": {"value": service}}},
            DeclareField.PUBLIC: {DeclareField.PUBLIC: {"type": "checkboxes", "selected_options": [{"value": "public"}]}},
        }, user=USER, private_metadata=json.dumps({}))
        bot.submit_view(ViewId.PUBLIC, {
            PublicField.TITLE: {PublicField.TITLE: {"type": "plain_text_input", "value": f"{service} is slow"}},
            PublicField.STATUS: {PublicField.STATUS: {"type": "static_select", "selected_option": {"value": "identified"}}},
            PublicField.TEXT: {PublicField.TEXT: {"type": "plain_text_input", "value": "We are on it. " * 20}},
        }, user=USER, private_metadata=str(number))
    summary = http("GET", f"{url}/status.json").json()
    if len(summary["incidents"]) != 2:
        raise RuntimeError(f"the seeded incidents are not on the page: {summary}")


async def reader(host: str, port: int, until: float, think: float, samples: list[float], sizes: list[int]) -> None:
    await asyncio.sleep(random.uniform(0, think))
    stream_in, stream_out = await asyncio.open_connection(host, port)
    request = f"GET /status HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Encoding: gzip, deflate, br\r\n\r\n".encode()
    try:
        while time.monotonic() < until:
            sent = time.perf_counter()
            stream_out.write(request)
            await stream_out.drain()
            head = await stream_in.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"GET /status answered {head[:40]!r}")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            sizes.append(len(await stream_in.readexactly(length)))
            samples.append((time.perf_counter() - sent) * 1000)
            await asyncio.sleep(think)
    finally:
        stream_out.close()


def declares(bot, until: float, samples: list[float]) -> None:
    number = 0
    while time.monotonic() < until:
        number += 1
        response = bot.command(f"declare sev2 Bench {number}")
        if response.status != 200 or b"is recorded" not in response.body:
            raise RuntimeError(f"a declare answered {response.status}: {response.body[:200]!r}")
        samples.append(response.elapsed * 1000)
        time.sleep(max(0.0, 0.5 - response.elapsed))


def measure(code: Path, args: argparse.Namespace, tmp: Path, fake: FakeSlack, run: int) -> dict:
    """One run against ``code``'s `python -m bot web`: the readers' and the declares' latencies, the web
    process's CPU per read (from /proc: reads and the declares' acks together)."""
    with fresh_database(args.database_url, tmp, f"status-{run}-{code.name}", code) as url, \
            served("real", url, fake, 0.05, tmp, tmp / "incidents.yaml", code=code) as (bot, pids):
        seed(bot, bot.url)
        parts = urllib.parse.urlsplit(bot.url)
        reads: list[float] = []
        sizes: list[int] = []
        acks: list[float] = []
        before = cpu_seconds(pids[0])
        until = time.monotonic() + args.seconds
        writer = threading.Thread(target=declares, args=(bot, until, acks))
        writer.start()

        async def readers() -> None:
            await asyncio.gather(*(reader(parts.hostname, parts.port, until, args.think, reads, sizes)
                                   for _ in range(args.readers)))

        asyncio.run(readers())
        writer.join()
        cpu_ms = (cpu_seconds(pids[0]) - before) * 1000
    return {"reads": reads, "sizes": sizes, "acks": acks, "cpu_ms": cpu_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--think", type=float, default=0.5)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--code-dir", type=Path, help="another checkout of the bot (e.g. main's), measured in "
                        "the same run, interleaved with this one")
    parser.add_argument("--repeat", type=int, default=1, help="runs per checkout, interleaved")
    args = parser.parse_args()
    codes = [("this", ROOT)] + ([("base", args.code_dir.resolve())] if args.code_dir else [])
    results: dict[str, list[dict]] = {name: [] for name, _ in codes}
    loop_before = core_speed()
    with tempfile.TemporaryDirectory() as tmp_dir, FakeSlack() as fake:
        tmp = Path(tmp_dir)
        (tmp / "incidents.yaml").write_text(CONFIG)
        for run in range(args.repeat):
            for name, code in codes:
                results[name].append(measure(code, args, tmp, fake, run))
    database = "PostgreSQL" if args.database_url else "SQLite"
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{database}: {args.readers} readers of /status ({args.think:g} s between reads) for {args.seconds:g} s, "
          f"one declare every 0.5 s (announcement channel #{ANNOUNCE}); load average {load} on {os.cpu_count()} CPUs"
          + (f"; median of {args.repeat} interleaved runs" if args.repeat > 1 else "")
          + f"; a 2M-iteration loop took {loop_before:.0f} ms before the runs, {core_speed():.0f} after")
    for name, runs in results.items():
        def med(f, runs=runs):
            return statistics.median(f(r) for r in runs)
        reads_p99, acks_p99 = med(lambda r: percentile(r["reads"], 99)), med(lambda r: percentile(r["acks"], 99))
        print(f"  {name}: reads {med(lambda r: len(r['reads'])):.0f} ({med(lambda r: len(r['reads'])) / args.seconds:.0f}/s, "
              f"{med(lambda r: statistics.median(r['sizes'])) / 1024:.1f} KiB each), p50 "
              f"{med(lambda r: percentile(r['reads'], 50)):.1f} ms, p99 {reads_p99:.1f} ms, "
              f"max {med(lambda r: max(r['reads'])):.1f} ms; "
              f"web CPU per read {med(lambda r: r['cpu_ms'] / len(r['reads'])):.2f} ms")
        print(f"  {name}: declares {med(lambda r: len(r['acks'])):.0f}, "
              f"ack p50 {med(lambda r: percentile(r['acks'], 50)):.1f} ms, p99 {acks_p99:.1f} ms")
        if name == "this":
            this = reads_p99, acks_p99
    print(f"  readers p99 < 50 ms: {verdict(this[0] < 50)}")
    print(f"  declare acks p99 < 300 ms: {verdict(this[1] < 300)}")


if __name__ == "__main__":
    main()
