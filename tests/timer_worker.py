"""A timer worker in a process of its own, for the multi-process tests in tests/integration/test_timers.py.

    python -m tests.timer_worker URL WORKER_ID OUT [--seconds S] [--lease L] [--batch B]
                                 [--work W] [--go FILE] [--block]

Ticks in a loop with the real clock until no pending timer is left or S seconds have passed.
Each handler appends ``ran <timer id> <worker id> <time.time()>`` to OUT, a file of this
process's own, after working W seconds. With ``--block`` the handler appends
``started <timer id> <worker id> <time.time()>`` and then blocks until the process is killed.
With ``--go`` it creates ``OUT.ready`` once it is up and starts ticking when FILE exists, so that
processes started on a busy machine begin together however long each took to start.
"""

from __future__ import annotations

import argparse
import threading
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.core.clock import SystemClock
from bot.core.db import make_engine, make_session_factory
from bot.jobs.timers import TimerWorker
from models.timer import PENDING, Timer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("worker_id")
    parser.add_argument("out")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--lease", type=float, default=60)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--work", type=float, default=0)
    parser.add_argument("--go")
    parser.add_argument("--block", action="store_true")
    args = parser.parse_args()

    engine = make_engine(args.url)
    sessions = make_session_factory(engine)
    out = open(args.out, "a", buffering=1)

    def handle(timer: Timer) -> None:
        if args.block:
            out.write(f"started {timer.id} {args.worker_id} {time.time()}\n")
            threading.Event().wait()  # mid-handler until the test kills this process
        time.sleep(args.work)
        out.write(f"ran {timer.id} {args.worker_id} {time.time()}\n")

    worker = TimerWorker(sessions, SystemClock(), {"page": handle}, args.worker_id,
                         lease=timedelta(seconds=args.lease), batch=args.batch)
    if args.go:
        Path(f"{args.out}.ready").touch()
        while not Path(args.go).exists():
            time.sleep(0.01)
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        if worker.tick() == 0:
            with sessions() as session:
                if session.scalar(select(func.count()).select_from(Timer).where(PENDING)) == 0:
                    break
            time.sleep(0.02)
    engine.dispose()


if __name__ == "__main__":
    main()
