"""``python -m bot export pages|incidents [--since DATE] [--until DATE] [--out FILE]``: CSV for spreadsheets."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.orm import Session

from bot.core.clock import SystemClock
from bot.core.db import PLAIN_READ, make_engine
from bot.core.errors import UserError
from bot.retro import export
from bot.retro.sql import without_jit


def run(argv: list[str], settings, config) -> int:
    parser = argparse.ArgumentParser(prog="incident-bot export", description="Write the page log or the incidents as CSV")
    parser.add_argument("what", choices=export.KINDS, help="pages: one row per page sent; incidents: one row per incident")
    parser.add_argument("--since", metavar="DATE", help="first day, e.g. 2026-11-01 (default: the beginning)")
    parser.add_argument("--until", metavar="DATE", help="last day, included (default: today)")
    parser.add_argument("--service", help="only this service's incidents")
    parser.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    args = parser.parse_args(argv)  # a wrong form exits with status 2 and the usage
    try:
        since, until = export.date_range(args.since, args.until, config.tz, SystemClock().now())
    except UserError as exc:
        print(f"incident-bot export: {exc}", file=sys.stderr)
        return 2
    try:
        out = open(args.out, "w", newline="", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    except OSError as exc:
        print(f"incident-bot export: cannot write --out {args.out}: {exc.strerror}; "
              "give a file in a directory you can write to, such as --out pages.csv", file=sys.stderr)
        return 2
    engine = make_engine(settings.database_url)
    try:
        with Session(engine.execution_options(**PLAIN_READ)) as session:
            without_jit(session)
            for line in export.lines(session, args.what, since, until, config.tz, args.service):
                out.write(line)
    finally:
        if out is not sys.stdout:
            out.close()
        engine.dispose()
    return 0
