"""Benchmark: how fast the bot acks `/incident declare`, and how soon the incident is ready in Slack.

Everything runs in this process on 127.0.0.1. The fake Slack (tests/fakeslack) adds
``--latency`` seconds to every Web API call. Each variant is served by uvicorn in a thread
(tests/driver.Server) and gets real signed slash commands over HTTP from the same client
(tests/driver.Bot.command, sent by a ThreadPoolExecutor), a fresh database and a reset fake.

(a) Ack latency: ``--requests`` commands at ``--concurrency``, timed by the client from sending
    the request to reading the answer, after a few uncounted warm-ups, for
      bare   a Bolt app whose /incident listener only acks, served like bot/web.py serves the
             bot (create_web_app: dispatch in Starlette's thread pool); the floor that Bolt,
             uvicorn and HTTP allow;
      real   the bot itself: `/incident declare sev2 <title>` writes the incident, acks with
             the answer and leaves the Slack work to effects (which run meanwhile);
      stock  the bot behind Bolt's stock Starlette adapter, which dispatches on the event
             loop: for information, it shows why bot/web.py does not use it.
    Targets: real p99 <= 2x bare p99, and real p99 < 300 ms. The client keeps --concurrency
    requests in flight back to back, so the server never idles and latency is roughly
    concurrency x what one request costs; the client, the fake Slack, the app and its effects
    all share this process (and its GIL).

(b) Declare-to-ready: ``--declares`` declares one after another, 100 ms per Slack call. From
    sending the command to the fake's `finished` time (both time.monotonic()) of the last of
    conversations.create / setTopic / invite / chat.postMessage (summary, announcement) /
    pins.add. "x RT" divides that by the 100 ms latency, so it includes the bot's own
    overhead (HTTP, database, threads). "chain" counts Slack calls that had to wait for one
    another: the longest run of calls each started after the one before it had finished. The
    target, 3 round trips (create the channel; then the rest together, the pin after its post),
    is checked on that chain.

Databases: a SQLite file per variant in a temporary directory by default; with --database-url
(PostgreSQL) the tables live in a schema of their own, created and dropped by the run, so the
test suite's tables in the same database are left alone.
Percentiles: statistics.quantiles(samples, n=100, method="inclusive"), i.e. linear
interpolation between the sorted samples (p99 of 50 samples lies between the two largest).
Targets print PASS or FAIL; the exit status is 0 either way.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for `python bench/declare.py`

from slack_bolt import Ack, App  # noqa: E402
from slack_bolt.adapter.starlette import SlackRequestHandler  # noqa: E402
from slack_bolt.authorization import AuthorizeResult  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.routing import Route  # noqa: E402
from sqlalchemy import make_url, text  # noqa: E402

from bot.app import AppContext, build_context, create_bolt_app  # noqa: E402
from bot.config import IncidentConfig, load_settings  # noqa: E402
from bot.db import make_engine  # noqa: E402
from bot.slack import make_client  # noqa: E402
from bot.web import create_web_app  # noqa: E402
from models import Base  # noqa: E402
from tests.driver import SIGNING_SECRET, Bot, HttpResponse, Server  # noqa: E402
from tests.fakeslack import Call, FakeSlack  # noqa: E402

WARMUP = 5
READY_LATENCY = 0.1
READY_CALLS = {"conversations.create", "conversations.setTopic", "conversations.invite", "chat.postMessage", "pins.add"}
USER = "U01ALICE"
PG_SCHEMA = "bench_declare"


def percentile(samples: list[float], p: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def fresh_schema(url: str) -> None:
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    engine.dispose()


@contextmanager
def private_schema(url: str):
    """The URL with its own PostgreSQL schema, dropped at the end: the tests' tables stay untouched."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {PG_SCHEMA}"))
    try:
        yield make_url(url).update_query_dict({"options": f"-csearch_path={PG_SCHEMA}"}).render_as_string(False)
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {PG_SCHEMA} CASCADE"))
        engine.dispose()


def bare_bolt(ctx: AppContext) -> App:
    """Configured like bot.app.create_bolt_app (no auth.test: the token is given), one listener that only acks."""
    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=ctx.settings.slack_bot_token)

    app = App(client=make_client(None, ctx.settings.slack_api_url), authorize=authorize,
              signing_secret=SIGNING_SECRET, process_before_response=False)

    @app.command("/incident")
    def incident(ack: Ack) -> None:
        ack()

    return app


def stock_adapter(bolt: App) -> Starlette:
    handler = SlackRequestHandler(bolt)

    async def slack_events(request: Request):
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", slack_events, methods=["POST"])])


@contextmanager
def serve(kind: str, fake: FakeSlack, database_url: str, latency: float):
    """The app of one variant (bare, real or stock) on a fresh database and a reset fake Slack."""
    fake.reset()
    fake.add_channel("incidents")
    fake.add_user(USER, name="alice")
    fake.latency = latency
    fresh_schema(database_url)
    settings = load_settings({"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-bench",
                              "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.base_url})
    ctx = build_context(settings, IncidentConfig.model_validate({}))
    if kind == "bare":
        web = create_web_app(ctx, bare_bolt(ctx))
    elif kind == "real":
        web = create_web_app(ctx, create_bolt_app(ctx))
    else:
        web = stock_adapter(create_bolt_app(ctx))
    server = Server(web)
    bot = Bot(ctx=ctx, url=server.start(), fake=fake, server=server)
    try:
        yield bot
    finally:
        bot.settle(60)
        bot.close()


def checked(responses: list[HttpResponse], expect: bytes) -> list[HttpResponse]:
    """The responses, if each is a 200 whose body holds ``expect`` (errors are ephemeral 200s too)."""
    for response in responses:
        if response.status != 200 or expect not in response.body:
            raise RuntimeError(f"unexpected answer {response.status}: {response.body[:300]!r}")
    return responses


def ack_latencies(bot: Bot, requests: int, concurrency: int, expect: bytes) -> list[float]:
    """Milliseconds from sending each command to reading its answer, warm-ups left out."""
    checked([bot.command(f"declare sev2 Warm-up {i}") for i in range(WARMUP)], expect)
    bot.settle(60)
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        responses = list(pool.map(bot.command, [f"declare sev2 Bench {i}" for i in range(requests)]))
    return [r.elapsed * 1000 for r in checked(responses, expect)]


def slack_chain(calls: list[Call]) -> int:
    """The longest run of calls in which each started after the one before it had finished."""
    calls = sorted(calls, key=lambda c: c.started)
    depth: list[int] = []
    for i, call in enumerate(calls):
        depth.append(1 + max((depth[j] for j in range(i) if calls[j].finished <= call.started), default=0))
    return max(depth, default=0)


def declare_to_ready(bot: Bot, fake: FakeSlack, declares: int) -> tuple[list[float], list[int], Counter]:
    """Per declare: ms until ready and its chain of Slack calls; and the calls one declare made."""
    ready_ms, chains, made = [], [], Counter()
    for i in range(declares):
        first = len(fake.calls)
        sent = time.monotonic()
        checked([bot.command(f"declare sev2 Ready check {i}")], b"is recorded")
        bot.settle(60)
        calls = fake.calls[first:]
        ready = [c for c in calls if c.method in READY_CALLS and c.ok]
        made = Counter(c.method for c in calls)
        if {c.method for c in ready} != READY_CALLS or made["chat.postMessage"] != 2:
            raise RuntimeError(f"declare {i} did not make the incident ready: {[(c.method, c.error) for c in calls]}")
        ready_ms.append((max(c.finished for c in ready) - sent) * 1000)
        chains.append(slack_chain(ready))
    return ready_ms, chains, made


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="measured commands per variant (a)")
    parser.add_argument("--concurrency", type=int, default=10, help="commands in flight at once (a)")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the fake Slack adds to each call (a)")
    parser.add_argument("--declares", type=int, default=10, help="sequential declares (b)")
    parser.add_argument("--database-url", help="a PostgreSQL URL (the benchmark works in a schema of its own "
                        "there); default: a SQLite file per variant in a temporary directory")
    args = parser.parse_args()
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error("--database-url takes a postgresql URL; SQLite is the default")
    logging.disable(logging.WARNING)  # keep errors, drop Bolt's and uvicorn's chatter
    started = time.monotonic()

    with ExitStack() as stack:
        fake = stack.enter_context(FakeSlack())
        if args.database_url:
            shared = stack.enter_context(private_schema(args.database_url))
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))

        def database(name: str) -> str:
            return shared if args.database_url else f"sqlite:///{tmp / name}.db"

        rows = []
        for kind, label, expect in [("bare", "bare Bolt app, threaded dispatch", b""),
                                    ("real", "bot, bot/web.py (threaded)", b"is recorded"),
                                    ("stock", "bot, Bolt's stock adapter", b"is recorded")]:
            with serve(kind, fake, database(kind), args.latency) as bot:
                rows.append((label, ack_latencies(bot, args.requests, args.concurrency, expect)))
            if fake.violations:
                raise RuntimeError(f"calls Slack would refuse: {fake.violations}")
        with serve("real", fake, database("ready"), READY_LATENCY) as bot:
            ready_ms, chains, made = declare_to_ready(bot, fake, args.declares)

    db = "PostgreSQL" if args.database_url else "SQLite"
    print(f"(a) ack latency: {args.requests} slash commands at concurrency {args.concurrency}, "
          f"{args.latency * 1000:.0f} ms per Slack call, {db}")
    print(f"    {'variant':<34}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}")
    for label, ms in rows:
        print(f"    {label:<34}{percentile(ms, 50):>8.1f}{percentile(ms, 99):>8.1f}{max(ms):>8.1f}")
    bare, real = percentile(rows[0][1], 99), percentile(rows[1][1], 99)
    print(f"    real/bare p99: {real / bare:.2f}x")
    print(f"    {verdict(real <= 2 * bare)}  real p99 <= 2x bare p99 ({2 * bare:.1f} ms)")
    print(f"    {verdict(real < 300)}  real p99 < 300 ms")

    rt = READY_LATENCY * 1000
    median, p90 = statistics.median(ready_ms), percentile(ready_ms, 90)
    print(f"(b) declare-to-ready: {args.declares} sequential declares, {rt:.0f} ms per Slack call")
    print(f"    median {median:.1f} ms = {median / rt:.2f} x RT;  p90 {p90:.1f} ms = {p90 / rt:.2f} x RT;  "
          f"chain of Slack calls: {min(chains)}-{max(chains)}")
    print(f"    Slack calls per declare: {sum(made.values())} "
          f"({', '.join(f'{m} x{n}' if n > 1 else m for m, n in sorted(made.items()))})")
    print(f"    {verdict(max(chains) <= 3)}  ready within 3 round trips (chain <= 3)")
    print(f"took {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
