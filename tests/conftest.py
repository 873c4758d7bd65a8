"""Shared fixtures: one migrated database per run, emptied per test; one fake Slack; the real app."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.__main__ import collect_less
from bot.config import IncidentConfig, load_settings
from bot.core.clock import ManualClock
from tests import db
from tests.driver import SIGNING_SECRET, Bot, ServerPool, start_bot
from tests.fakeslack import FakeSlack

USERS = ["U01ALICE", "U02BOB", "U03CAROL", "U04DAVE"]
PROFILES = {  # real-looking people: accents, non-Latin scripts, zones of their own
    "U01ALICE": {"real_name": "Alice Ångström", "display_name": "alice", "tz": "Europe/Stockholm"},
    "U02BOB": {"real_name": "Борис Петров", "display_name": "bob", "tz": "Europe/Moscow"},
    "U03CAROL": {"real_name": "李嘉欣", "display_name": "carol", "tz": "Asia/Shanghai"},
    "U04DAVE": {"real_name": "Dave O'Brien-Núñez", "display_name": "dave", "tz": "America/New_York"},
}
GONE = "U08SEB"  # deactivated: Slack still answers, with deleted set
GONE_PROFILE = {"real_name": "Sébastien Lefèvre", "display_name": "seb", "tz": "Europe/Paris", "deleted": True}


def pytest_collection_finish(session: pytest.Session) -> None:
    """A test process then runs its app, bots and fakes for minutes, as a ``python -m bot`` does: what
    collection built stays, so the collector leaves it alone and sweeps the young less often."""
    collect_less()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    url = db.test_database_url(tmp_path_factory.mktemp("db"))
    with db.private_schema(url):
        engine = db.shared_engine(url)
        db.drop_everything(engine)
        db.migrate(engine)
        yield url
        db.dispose_shared()


@pytest.fixture
def engine(database_url):
    """The process's engine (``db.shared_engine``), its tables emptied."""
    engine = db.shared_engine(database_url)
    db.empty_tables(engine)
    return engine


@pytest.fixture(scope="session")
def slack_server() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def fake_slack(slack_server: FakeSlack) -> Iterator[FakeSlack]:
    slack_server.reset()
    slack_server.add_channel("incidents")
    slack_server.add_channel("general")
    for user in USERS:
        slack_server.add_user(user, name=user[3:].lower(), **PROFILES[user])
    slack_server.add_user(GONE, name="seb", **GONE_PROFILE)
    yield slack_server
    assert slack_server.violations == [], "the bot made calls Slack would refuse"


@pytest.fixture(scope="session")
def servers() -> Iterator[ServerPool]:
    pool = ServerPool()
    yield pool
    pool.stop()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_bot(engine, fake_slack, clock, database_url, servers) -> Iterator[Callable[..., Bot]]:
    """Start the real app over HTTP; ``make_bot(config={...})`` takes a configuration file's content,
    ``wiring={...}`` what ``build_context`` takes besides (``busy_timeout``)."""
    bots: list[Bot] = []

    def start(config: dict | None = None, wiring: dict | None = None, **env: str) -> Bot:
        settings = load_settings({
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.base_url,
            **env,
        })
        bot = start_bot(settings, IncidentConfig.model_validate(config or {}), clock, fake_slack, servers,
                        **(wiring or {}))
        bots.append(bot)
        return bot

    yield start
    for bot in bots:
        bot.settle()
        bot.close()


@pytest.fixture
def bot(make_bot) -> Bot:
    return make_bot()
