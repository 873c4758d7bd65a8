"""Benchmark: how long the whole suite takes on each database, and what its time is made of.

    python -m bench.suite [--code-dir DIR] [--workers 4] [--databases sqlite,postgresql] [-- pytest arguments]

Runs what `./scripts/test` runs for each database (`pytest -q -n 4 --dist worksteal`, the same
environment; no lint), from this checkout and, with ``--code-dir``, from another one (e.g. today's
main, `git worktree add /tmp/base main`), interleaved: this on SQLite, the other on SQLite, this on
PostgreSQL, the other on PostgreSQL. Each run is timed on the wall clock, and its CPU is read from
the kernel: the run's own (every process it started and waited for: pytest's workers, the bots,
Chromium, Alertmanager; RUSAGE_CHILDREN) and the whole machine's (/proc/stat, less idle), whose
difference is what other processes took meanwhile: PostgreSQL's server working for the run, the
kernel's threads (I/O, memory), and whatever else shares the machine (idle, it takes about 1%). The
run's CPU over the cores is the least the run could take were its waits perfectly overlapped. Before
each run a fixed pure-Python loop is timed (median of 5) as a reading of how fast this machine's
cores are then: shared, they have run it 60% slower from one run to the next.

Printed as each run ends: its wall time, pytest's summary, the run's CPU and that least time, the
others' CPU, and the tests that failed (each run's whole output is kept in the temporary directory);
then the twenty slowest tests of this checkout's runs (pytest's ``--durations=20``) and PASS/FAIL
against issue 23's target (<= 90 s per database, every real process and browser test kept; a run
with a failure fails). The exit status is 1 if any run had a failure.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for `python bench/suite.py`

from bench.machine import core_speed  # noqa: E402
from bench.schema import DEFAULT_URL  # noqa: E402

TARGET = 90.0
DATABASES = {"sqlite": "", "postgresql": os.environ.get("TEST_POSTGRES_URL", DEFAULT_URL)}  # as scripts/test
SUMMARY = re.compile(r"^(?P<counts>\d+ (?:passed|failed|error).*) in (?P<seconds>[\d.]+)s", re.M)
FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.M)
DURATION = re.compile(r"^\s*(?P<seconds>[\d.]+)s (?P<phase>call|setup|teardown)\s+(?P<test>\S+)", re.M)


@dataclass(frozen=True)
class Run:
    wall: float
    counts: str  # pytest's summary, its own time included
    cpu: float  # the run's processes', seconds
    others: float  # the rest of the machine's meanwhile, seconds
    slowest: list[tuple[float, str, str]]
    failed: list[str]
    speed: float  # core_speed() just before the run

    def passed(self) -> bool:
        return not self.failed and self.wall <= TARGET


def machine_busy() -> float:
    """Seconds of CPU the whole machine has spent not idle since boot (/proc/stat's first line)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_suite(code: Path, database_url: str, workers: int, log: Path, pytest_args: list[str]) -> Run:
    """One run of the suite, its output kept in ``log``."""
    env = {**os.environ, "TEST_DATABASE_URL": database_url}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as scripts/test: the compiled modules are kept
    command = [str(code / ".venv/bin/python"), "-m", "pytest", "-q", "-n", str(workers), "--dist", "worksteal",
               "--durations=20", "-p", "no:cacheprovider", *pytest_args]
    speed = core_speed()
    cpu, busy, began = children_cpu(), machine_busy(), time.monotonic()
    done = subprocess.run(command, cwd=code, env=env, capture_output=True, text=True)
    wall, cpu, busy = time.monotonic() - began, children_cpu() - cpu, machine_busy() - busy
    log.write_text(done.stdout + done.stderr)
    summary = SUMMARY.search(done.stdout)
    if summary is None:  # pytest did not get as far as running the tests
        sys.exit(f"the suite did not run in {code} ({database_url or 'SQLite'}), exit status {done.returncode}; "
                 f"its output: {log}")
    slowest = [(float(m["seconds"]), m["phase"], m["test"]) for m in DURATION.finditer(done.stdout)]
    failed = FAILED.findall(done.stdout) or ([f"exit status {done.returncode}"] if done.returncode else [])
    return Run(wall, f"{summary['counts']} in {summary['seconds']} s", cpu, max(0.0, busy - cpu), slowest, failed, speed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code-dir", type=Path, help="another checkout with its own .venv, run after this one on each database")
    parser.add_argument("--workers", type=int, default=4, help="pytest-xdist processes, as scripts/test (4)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="which of sqlite,postgresql")
    parser.add_argument("pytest_args", nargs="*", help="after --, given to pytest (a part of the suite, to try the bench)")
    args = parser.parse_args()
    databases = args.databases.split(",")
    if unknown := [name for name in databases if name not in DATABASES]:
        parser.error(f"--databases: unknown {', '.join(unknown)}; give sqlite, postgresql or both")
    codes = [("this", ROOT)] + ([("base", args.code_dir.resolve())] if args.code_dir else [])
    for _, code in codes:
        if not (code / ".venv/bin/python").exists():
            parser.error(f"--code-dir: {code} has no .venv (run its ./scripts/test once, or link this one's)")
    cores = os.cpu_count() or 1
    print(f"the suite, {args.workers} processes (pytest-xdist, worksteal) on {cores} cores; before each run, the CPU "
          f"a 2M-iteration loop took (how fast the shared cores were then)", flush=True)
    runs = {}
    for db in databases:
        for name, code in codes:
            log = Path(tempfile.gettempdir()) / f"bench-suite-{name}-{db}.log"
            run = runs[(name, db)] = run_suite(code, DATABASES[db], args.workers, log, args.pytest_args)
            verdict = f"   {'PASS' if run.passed() else 'FAIL'} (<= {TARGET:.0f} s, none failing)" if name == "this" else ""
            print(f"  {db:<10} {name}: {run.wall:6.1f} s wall ({run.counts}); the run's CPU {run.cpu:6.1f} s, "
                  f"at least {run.cpu / cores:5.1f} s on {cores} cores; other processes' CPU meanwhile "
                  f"{run.others:5.1f} s (the machine {(run.cpu + run.others) / run.wall:.2f} cores busy); loop {run.speed:.0f} ms"
                  f"{verdict}", flush=True)
            for test in run.failed:
                print(f"      failed: {test} (the run's output: {log})", flush=True)
    print(f"  load average now {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for db in databases:
        print(f"  the twenty slowest on {db} (this):")
        for seconds, phase, test in runs[("this", db)].slowest:
            print(f"    {seconds:5.1f} s {phase:<8} {test}")
    sys.exit(1 if any(run.failed for run in runs.values()) else 0)


if __name__ == "__main__":
    main()
