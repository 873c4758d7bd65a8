"""``python -m bot import pagerduty|opsgenie|grafana-oncall --token T [--url URL] [--out FILE] [--dry-run] [--force]``.

Reads the source, finds its people in Slack, writes the configuration (the overrides ahead into the
database), checks it with the bot's own loader and compares 14 days of on-call with the source.
Exit status: 0 when everything was carried over and the 14 days agree, 3 when something was listed
(or differs), 2 for a mistake the operator can fix (token, file, URL), 1 when the source or the
database failed. Every failure is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from bot.config.settings import Settings
from bot.importing import compare, grafana, mapping, opsgenie, output, pagerduty
from bot.importing.api import ImportFailure
from bot.importing.people import slack_client, slack_ids
from bot.importing.source import Person

READERS = {"pagerduty": pagerduty, "opsgenie": opsgenie, "grafana-oncall": grafana}
EVERYTHING_CARRIED, SOMETHING_LISTED = 0, 3


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(prog="python -m bot import",
                                    description="Import schedules, escalation policies and services from another pager")
    parse.add_argument("source", choices=list(READERS))
    parse.add_argument("--token", required=True, help="the source's API token (read access is enough)")
    parse.add_argument("--url", help="the API's base URL (Grafana OnCall: your instance's; the others have a default)")
    parse.add_argument("--out", type=Path, help="the file to write (default: INCIDENT_CONFIG, ./incidents.yaml)")
    parse.add_argument("--dry-run", action="store_true", help="print the file and its difference from the one there; "
                                                              "write nothing")
    parse.add_argument("--force", action="store_true", help="replace an existing file")
    return parse


def run(argv: list[str], settings: Settings, now: datetime | None = None) -> int:
    args = parser().parse_args(argv)
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)  # each retry; the outcome is said once
    now = now or datetime.now(timezone.utc)
    out: Path = args.out or settings.incident_config
    try:
        return _import(args, settings, out, now)
    except ImportFailure as exc:
        print(f"import {args.source}: {exc}", file=sys.stderr)
        return exc.status


def _import(args, settings: Settings, out: Path, now: datetime) -> int:
    old_text, old_data = output.existing(out)
    if old_text is not None and not args.dry_run and not args.force:
        raise ImportFailure(f"{out} exists; pass --force to replace it (its other keys are kept), --out to write "
                            "another file, or --dry-run to see the difference", status=2)
    if not settings.slack_bot_token:
        raise ImportFailure("SLACK_BOT_TOKEN is not set; the import needs it to find people in Slack by e-mail "
                            "(scope users:read.email)", status=2)
    source = _read(READERS[args.source], args, now)
    wanted = mapping.referenced_people(source)
    people = [source.people.get(person) or _unknown(person) for person in sorted(wanted)]
    slack = slack_ids(people, slack_client(settings.slack_bot_token, settings.slack_api_url))
    timezone_name = old_data.get("timezone") or _main_zone(source)
    mapped = mapping.build(source, slack, timezone_name, now)
    names = {found: source.people[person].name for person, found in slack.items() if found and person in source.people}
    text = output.render(mapped, old_data, timezone_name, source.kind, source.url, now, names)
    config = output.validated(text, out, old_data)
    results = compare.compare(source, mapped, config, slack, now)
    if args.dry_run:
        print(text, end="")
        if old_text is not None:
            print(output.diff(old_text, text, out), end="")
    else:
        saved = []
        output.write_atomically(out, text, lambda: saved.append(
            output.save_overrides(mapped.overrides, settings.database_url, source.kind, now)))
        already = len(mapped.overrides) - saved[0]
        if already:
            source.notes.append(f"{already} of the overrides ahead were in the database already (an earlier import)")
    _report(source, mapped, results, config, out, args.dry_run, names)
    differs = any(result.differences for result in results)
    return SOMETHING_LISTED if mapped.leftovers or differs else EVERYTHING_CARRIED


def _read(reader, args, now: datetime):
    client = reader.api(args.token, args.url)
    try:
        return reader.read(client, now, now + compare.WINDOW + compare.HOUR)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # an answer not shaped as documented
        raise ImportFailure(f"{client.what} answered in a shape this import does not know ({type(exc).__name__}: "
                            f"{exc}); check --url, or report it with the source's API version") from None


def _unknown(person_id: str) -> Person:
    """Someone a schedule or policy names whom the source's user list lacks: no e-mail to look them up by."""
    return Person(person_id, person_id, None)


def _main_zone(source) -> str:
    """The zone most schedules use (the first one's on a tie): the file's ``timezone`` when there is none yet."""
    zones = Counter(schedule.zone for schedule in source.schedules)
    return zones.most_common(1)[0][0] if zones else "UTC"


def _report(source, mapped: mapping.Mapped, results, config, out: Path, dry_run: bool, names: dict[str, str]) -> None:
    say = lambda line="": print(line, file=sys.stderr)  # noqa: E731 - stdout is the file under --dry-run
    verb = "Would write" if dry_run else "Wrote"
    say(f"{verb} {out}: {len(mapped.schedules)} schedule(s), {len(mapped.escalation_policies)} escalation "
        f"policy(ies), {len(mapped.services)} service(s) from {source.kind}; {len(mapped.overrides)} override(s) ahead "
        + ("would go" if dry_run else "went") + " into the database.")
    for note in source.notes:
        say(f"Note: {note}.")
    if mapped.leftovers:
        say(f"Not carried over ({len(mapped.leftovers)}):")
        for left in mapped.leftovers:
            say(f"  - {left.what}: {left.why}")
    for result in results:
        for line in compare.describe(result, config.tz, names):
            say(line)
