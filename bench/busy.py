"""Benchmark: a busy day on one workspace: does the live summary keep up, is anything dropped?

    python -m bench.busy [--incidents 40] [--minutes 5] [--old fd6259e | --code-dir DIR]

One workspace (a FakeSlack enforcing Slack's rate tiers in real time, tests/fakeslack/ratelimits.py,
answering every Web API call after 100 ms); ``python -m bot web`` serves it on SQLite, doing its
own Slack work (RUN_WORKER=1, as production runs on SQLite). ``--incidents`` incidents are
declared evenly over ``--minutes`` (no time is compressed: the fake's tiers and the bot's budget
are Slack's own), each a sev2 that pages the on-call person (a page DM), and each then gets five
changes, one a minute (``CHANGE_EVERY``) from its declaration, so that about ten incidents are
open at once and the whole day takes about ten minutes:
  acknowledge   the summary's *Acknowledge* button, pressed by the person paged (on the summary: the
                payload's container names the message, as Slack's does);
  note          ``/incident note``;
  severity      ``/incident sev sev1``;
  handover      ``/incident ic @dave``;
  update        ``/incident update``: a stakeholder update (also in the announcement's thread).
The same day is run, at the same time and each with a workspace, a database and a server of its
own, by this checkout ("new") and by the code of ``--old`` (a ``git worktree`` of that commit,
made for the run and removed after it) or of ``--code-dir`` ("old"), side by side.

Printed per variant, with PASS/FAIL against issue 17's targets:
  change to visible   from sending a change to the fake holding it in the pinned summary, and in
                      the announcement, polled every 50 ms: p50 / p95 / max (p95 <= 3 s, max <= 10 s);
                      a change that never shows counts as the run's length;
  chat.update per visible change   chat.update calls the fake answered ok over the ones that
                      changed what a live message shows (its text or blocks) (<= 1.2);
  deferred            passes in which a step waited for the bot's rate budget (its log lines
                      "waits ... for Slack's rate limit"), all later sent if nothing is dropped;
  dropped             messages owed and missing once the bot has had ``DRAIN`` seconds after the
                      last change: a page DM per incident, the summary and the announcement
                      showing every change, the update in the announcement's thread and the note
                      in the channel (0);
  429s                calls the fake refused for exceeding a tier (0).
Percentiles: statistics.quantiles(n=100, method="inclusive"). The exit status is 0 either way.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for `python bench/busy.py`

from sqlalchemy import create_engine, text  # noqa: E402

from bench import declare  # noqa: E402
from bench.declare import bot_env, free_port, percentile, verdict, wait_healthy  # noqa: E402
from tests.driver import SIGNING_SECRET, Bot  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402

LATENCY = 0.1
CHANGE_EVERY = 60.0
DRAIN = 120.0
POLL = 0.05
ANNOUNCE = "incidents"
DECLARER, ON_CALL, NEW_COMMANDER = "U01ALICE", "U03CAROL", "U04DAVE"
PEOPLE = {"U01ALICE": "alice", "U02BOB": "bob", "U03CAROL": "carol", "U04DAVE": "dave"}
CONFIG = {
    "schedules": {"primary": {"rotation": "weekly", "members": [ON_CALL]}},
    "escalation_policies": {"default": {"levels": [{"notify": [{"schedule": "primary"}], "escalate_after": "30m"}]}},
}
OLD = "fd6259e"
WAITED = re.compile(r"INC-(\d+): (.+?) waits [\d.]+s for Slack's rate limit")


def flat(message: dict | None) -> str:
    """Every text a person reads in a message: its notification text and each text in its blocks."""
    if message is None:
        return ""
    found = [message.get("text") or ""]

    def walk(value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "text" and isinstance(item, str):
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(message.get("blocks") or [])
    return "\n".join(found)


@dataclass
class Check:
    """A change that should show in one surface of one incident."""

    number: int
    surface: str  # summary | announcement | thread | channel | page
    shows: str
    sent: float
    seen: float | None = None


@dataclass
class Day:
    """One variant's run: its workspace, its server, what it was asked and what showed."""

    name: str
    code: Path
    fake: FakeSlack
    database: str
    checks: list[Check] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    log: Path | None = None
    failures: list[str] = field(default_factory=list)

    def expect(self, number: int, surfaces: tuple[str, ...], shows: str, sent: float) -> None:
        with self.lock:
            self.checks += [Check(number, surface, shows, sent) for surface in surfaces]


def incident_row(engine, number: int) -> dict | None:
    with engine.connect() as connection:
        row = connection.execute(text("SELECT channel_id, summary_ts, announcement_channel_id, announcement_ts "
                                      "FROM incidents WHERE id = :id"), {"id": number}).mappings().first()
    return dict(row) if row else None


def surface_text(fake: FakeSlack, row: dict, surface: str, number: int) -> str:
    """What the fake shows now in one surface of an incident (its row says where)."""
    if surface == "page":
        return "\n".join(flat(m) for m in fake.messages(ON_CALL))
    if surface in ("summary", "channel") and row.get("channel_id"):
        messages = fake.messages(row["channel_id"])
        if surface == "summary":
            pins = fake.pins(row["channel_id"])
            return flat(next((m for m in messages if pins and m["ts"] == pins[0]), None))
        return "\n".join(flat(m) for m in messages)
    if surface in ("announcement", "thread") and row.get("announcement_channel_id"):
        messages = fake.messages(row["announcement_channel_id"])
        if surface == "thread":
            return "\n".join(flat(m) for m in messages if m.get("thread_ts") == row["announcement_ts"])
        return flat(next((m for m in messages if m["ts"] == row["announcement_ts"]), None))
    return ""


def watch(day: Day, engine, stop: threading.Event) -> None:
    """Mark each check seen the first time the fake shows it (rows read once they say where to look)."""
    rows: dict[int, dict] = {}
    while not stop.is_set():
        with day.lock:
            pending = [c for c in day.checks if c.seen is None]
        for number in {c.number for c in pending}:
            if not all(rows.get(number, {}).get(k) for k in ("channel_id", "summary_ts", "announcement_ts")):
                rows[number] = incident_row(engine, number) or {}
        now = time.monotonic()
        texts: dict[tuple[int, str], str] = {}
        for check in pending:
            key = (check.number, check.surface)
            if key not in texts:
                texts[key] = surface_text(day.fake, rows.get(check.number, {}), check.surface, check.number)
            if check.shows in texts[key]:
                check.seen = now
        stop.wait(POLL)


def one_incident(day: Day, bot: Bot, engine, n: int, at: float, every: float) -> None:
    """Declare, then the five changes every CHANGE_EVERY seconds, each expected where it shows."""
    time.sleep(max(0.0, at - time.monotonic()))
    sent = time.monotonic()
    answer = bot.command(f"declare sev2 Busy day {n}", user=DECLARER)
    found = re.search(r"INC-(\d+)", answer.body.decode())
    if answer.status != 200 or not found:
        day.failures.append(f"declare {n}: {answer.status} {answer.body[:200]!r}")
        return
    number = int(found[1])
    day.expect(number, ("page",), f"INC-{number}", sent)
    deadline = time.monotonic() + DRAIN
    while not (row := incident_row(engine, number) or {}).get("channel_id"):
        if time.monotonic() > deadline:
            day.failures.append(f"INC-{number} got no channel")
            return
        time.sleep(0.2)
    channel = row["channel_id"]
    changes: list[tuple[Callable[[], object], tuple[str, ...], str]] = [
        (lambda: bot.click("incident_acknowledge", number, user=ON_CALL, channel=channel,
                           message_ts=(incident_row(engine, number) or {}).get("summary_ts")),
         ("summary",), f"Acknowledged by <@{ON_CALL}>"),
        (lambda: bot.command(f"note Busy note {number}", user=DECLARER, channel=channel),
         ("channel",), f"Busy note {number}"),
        (lambda: bot.command("sev sev1 worse than it looked", user=DECLARER, channel=channel),
         ("summary", "announcement"), "SEV1 (Critical)"),
        (lambda: bot.command(f"ic <@{NEW_COMMANDER}>", user=DECLARER, channel=channel),
         ("summary", "announcement"), f"<@{NEW_COMMANDER}>"),
        (lambda: bot.command(f"update Busy update {number}: queues drained", user=DECLARER, channel=channel),
         ("summary", "announcement", "thread"), f"Busy update {number}"),
    ]
    for k, (send, surfaces, shows) in enumerate(changes, start=1):
        time.sleep(max(0.0, at + k * every - time.monotonic()))
        sent = time.monotonic()
        response = send()
        if response.status != 200:
            day.failures.append(f"INC-{number} change {k}: {response.status}")
        day.expect(number, surfaces, shows, sent)


@contextmanager
def served(day: Day, tmp: Path):
    """``python -m bot web`` of the variant's code on its own port, workspace and SQLite file."""
    port = free_port()
    config = tmp / f"{day.name}.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    env = bot_env(PORT=str(port), DATABASE_URL=day.database, SLACK_BOT_TOKEN="xoxb-bench",
                  SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=day.fake.base_url,
                  INCIDENT_CONFIG=str(config), RUN_WORKER="1", PYTHONPATH=str(day.code))
    done = subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=day.code, env=env,
                          capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"{day.name}: alembic upgrade head failed:\n{done.stderr}")
    day.log = tmp / f"{day.name}.log"
    with day.log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "bot", "web"], cwd=day.code, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, server)
        yield Bot(ctx=None, url=url, fake=day.fake, server=None, servers=None)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run_day(day: Day, tmp: Path, incidents: int, seconds: float, start: float, every: float) -> None:
    fake = day.fake
    fake.reset()
    fake.add_channel(ANNOUNCE)
    for user, name in PEOPLE.items():
        fake.add_user(user, name=name)
    fake.latency = LATENCY
    fake.enforce_tiers()
    engine = create_engine(day.database)
    stop = threading.Event()
    with served(day, tmp) as bot:
        watcher = threading.Thread(target=watch, args=(day, engine, stop), daemon=True)
        watcher.start()
        begin = max(start, time.monotonic())
        threads = [threading.Thread(target=one_incident, args=(day, bot, engine, n, begin + n * seconds / incidents, every))
                   for n in range(incidents)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        deadline = time.monotonic() + DRAIN
        while time.monotonic() < deadline:
            with day.lock:
                if all(c.seen is not None for c in day.checks):
                    break
            time.sleep(0.5)
        stop.set()
        watcher.join()
    engine.dispose()


def updates_per_change(fake: FakeSlack) -> tuple[int, int]:
    """chat.update calls answered ok, and those that changed what the message showed."""
    showing: dict[tuple[str, str], str] = {}
    calls = changed = 0
    for call in fake.calls:
        if not call.ok:
            continue
        if call.method == "chat.postMessage":
            showing[(call.response.get("channel"), call.response.get("ts"))] = _shown(call.args)
        elif call.method == "chat.update":
            calls += 1
            key = (call.args.get("channel"), call.args.get("ts"))
            now = _shown(call.args)
            changed += showing.get(key) != now
            showing[key] = now
    return calls, changed


def _shown(args: dict) -> str:
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return json.dumps([args.get("text"), blocks], sort_keys=True)


def figures(day: Day, length: float) -> dict:
    latencies = {}
    for surface in ("summary", "announcement"):
        samples = [(c.seen if c.seen is not None else c.sent + length) - c.sent
                   for c in day.checks if c.surface == surface]
        latencies[surface] = samples
    calls, changed = updates_per_change(day.fake)
    waited = WAITED.findall(day.log.read_text(errors="replace")) if day.log else []
    return {
        "latencies": latencies,
        "updates": (calls, changed),
        "deferred": len(waited),
        "dropped": [c for c in day.checks if c.seen is None],
        "429": len(day.fake.rate_limited_calls()),
    }


@contextmanager
def old_code(args: argparse.Namespace, tmp: Path):
    if args.code_dir:
        yield Path(args.code_dir).resolve()
        return
    where = tmp / "old"
    subprocess.run(["git", "worktree", "add", "--detach", str(where), args.old], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        yield where
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=ROOT, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=40)
    parser.add_argument("--minutes", type=float, default=5.0, help="over which the incidents are declared")
    parser.add_argument("--old", default=OLD, help="the commit to compare with (a git worktree made for the run)")
    parser.add_argument("--code-dir", help="compare with the code in this directory instead of --old")
    parser.add_argument("--keep", help="copy each server's log into this directory")
    parser.add_argument("--change-every", type=float, default=CHANGE_EVERY, help="seconds between an incident's changes")
    args = parser.parse_args()
    declare.START_TIMEOUT = 120  # two servers start at once on a busy machine
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp_dir, FakeSlack() as new_fake, FakeSlack() as old_fake:
        tmp = Path(tmp_dir)
        with old_code(args, tmp) as old:
            days = [Day("new", ROOT, new_fake, f"sqlite:///{tmp / 'new.db'}"),
                    Day("old", old, old_fake, f"sqlite:///{tmp / 'old.db'}")]
            start = time.monotonic() + 60  # both servers up (migrated, healthy) before the first declare
            runs = [threading.Thread(target=run_day, args=(day, tmp, args.incidents, args.minutes * 60, start, args.change_every))
                    for day in days]
            for run in runs:
                run.start()
            for run in runs:
                run.join()
            length = time.monotonic() - start
            results = {day.name: figures(day, length) for day in days}
            if args.keep:
                Path(args.keep).mkdir(parents=True, exist_ok=True)
                for day in days:
                    (Path(args.keep) / f"busy-{day.name}.log").write_bytes(day.log.read_bytes())
    print(f"A busy day: {args.incidents} incidents over {args.minutes:g} min, 5 changes each every "
          f"{args.change_every:g} s, a page each; Slack's tiers enforced, {LATENCY * 1000:.0f} ms per call; SQLite; "
          f"new = this checkout, old = {args.code_dir or args.old}, run side by side")
    print(f"    {'':<52} {'new':>24} {'old':>24}")
    for surface in ("summary", "announcement"):
        cells = []
        for day in days:
            samples = results[day.name]["latencies"][surface]
            cells.append(f"{percentile(samples, 50):.2f} / {percentile(samples, 95):.2f} / {max(samples):.1f}"
                         if len(samples) > 1 else "n/a")
        print(f"    {'change to visible in the ' + surface + ', p50/p95/max s':<52} {cells[0]:>24} {cells[1]:>24}")
    rows = [("chat.update calls / visible changes", lambda r: f"{r['updates'][0]} / {r['updates'][1]} = "
             f"{r['updates'][0] / max(1, r['updates'][1]):.2f}"),
            ("deferred (passes that waited), then sent", lambda r: str(r["deferred"])),
            ("dropped (owed, never shown)", lambda r: str(len(r["dropped"]))),
            ("429s answered by the fake", lambda r: str(r["429"]))]
    for label, cell in rows:
        print(f"    {label:<52} {cell(results['new']):>24} {cell(results['old']):>24}")
    for day in days:
        for failure in day.failures[:5]:
            print(f"    {day.name}: {failure}")
        missing = results[day.name]["dropped"]
        if missing:
            print(f"    {day.name} dropped, e.g.: " + "; ".join(f"INC-{c.number} {c.surface} {c.shows!r}"
                                                             for c in missing[:4]))
    new = results["new"]
    if any(len(new["latencies"][s]) < 2 for s in ("summary", "announcement")):
        print("    FAIL  new: the day did not run (see above)")
        return
    p95 = max(percentile(new["latencies"][s], 95) for s in ("summary", "announcement"))
    most = max(max(new["latencies"][s]) for s in ("summary", "announcement"))
    print(f"    {verdict(p95 <= 3)}  new: change to visible p95 <= 3 s ({p95:.2f} s)")
    print(f"    {verdict(most <= 10)}  new: change to visible max <= 10 s ({most:.1f} s)")
    ratio = new["updates"][0] / max(1, new["updates"][1])
    print(f"    {verdict(ratio <= 1.2)}  new: chat.update per visible change <= 1.2 ({ratio:.2f})")
    print(f"    {verdict(not new['dropped'])}  new: nothing dropped ({len(new['dropped'])})")
    print(f"    {verdict(new['429'] == 0)}  new: no 429 from Slack ({new['429']})")
    print(f"took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
