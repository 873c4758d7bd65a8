"""Inside ``one_transaction`` a thread's sessions share one transaction: one COMMIT at the end, what
follows a commit told after it, and a session that rolls back leaves the rest on their own."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
from sqlalchemy import bindparam, event, select, update

from bot.core.db import PLAIN_READ, make_session_factory
from bot.core.transactions import after_work, one_transaction, statement_alone
from models import SlackTrigger

AT = datetime(2026, 12, 4, 9, tzinfo=timezone.utc)


@pytest.fixture
def commits(engine) -> list[int]:
    """The COMMITs the engine sends, as they happen."""
    seen: list[int] = []
    event.listen(engine, "commit", lambda _connection: seen.append(1))
    return seen


def stored(sessions) -> list[str]:
    with sessions() as session:
        session.connection(execution_options=PLAIN_READ)  # beside a writer on SQLite, as another process
        return sorted(session.scalars(select(SlackTrigger.trigger_id)))


def add(sessions, trigger_id: str) -> None:
    with sessions() as session, session.begin():
        session.add(SlackTrigger(trigger_id=trigger_id, received_at=AT))


def test_sessions_in_one_transaction_commit_once_at_its_end(engine, commits):
    sessions = make_session_factory(engine)
    told: list[str] = []
    with one_transaction(engine) as unit:
        add(sessions, "first")
        add(sessions, "second")
        after_work(lambda: told.append("committed"))
        assert commits == [] and told == []
        with ThreadPoolExecutor(1) as elsewhere:  # another thread's session has a connection of its own
            assert elsewhere.submit(stored, sessions).result() == []
    assert unit.committed and len(commits) == 1
    assert told == ["committed"]
    assert stored(sessions) == ["first", "second"]


def test_a_block_that_raises_commits_nothing_and_hands_nothing_on(engine, commits):
    sessions = make_session_factory(engine)
    told: list[str] = []
    with pytest.raises(RuntimeError), one_transaction(engine):
        add(sessions, "lost")
        after_work(lambda: told.append("change"))
        after_work(lambda: told.append("answer thread"), needs_commit=False)
        raise RuntimeError("the work failed")
    assert commits == [] and stored(sessions) == []
    assert told == []  # tried again whole, it hands its answer on then


def test_a_session_that_rolls_back_leaves_the_others_on_their_own(engine):
    sessions = make_session_factory(engine)
    told: list[str] = []
    with one_transaction(engine) as unit:
        add(sessions, "rolled-back")
        after_work(lambda: told.append("rolled-back"))
        after_work(lambda: told.append("answer thread"), needs_commit=False)
        with pytest.raises(ValueError), sessions() as session, session.begin():
            session.add(SlackTrigger(trigger_id="refused", received_at=AT))
            session.flush()  # written, in the shared transaction
            raise ValueError("a rule refused it")
        assert not unit.intact
        add(sessions, "after")  # a transaction of its own, committed at once
        after_work(lambda: told.append("after"))
        assert told == ["after"]
    assert not unit.committed
    assert stored(sessions) == ["after"]
    assert told == ["after", "answer thread"]


def test_outside_one_transaction_after_work_runs_at_once(engine):
    told: list[str] = []
    after_work(lambda: told.append("now"))
    assert told == ["now"]


def test_a_statement_alone_lasts_at_once_and_joins_a_transaction_under_way(engine, database_url, commits):
    """The Slack side records each call's result by one statement: written for every other connection at
    once (on PostgreSQL in autocommit: no BEGIN nor COMMIT of its own), part of a thread's
    ``one_transaction`` when one is under way."""
    sessions = make_session_factory(engine)
    add(sessions, "first")
    commits.clear()
    answer = update(SlackTrigger).where(SlackTrigger.trigger_id == bindparam("id")).values(answer={"text": "ok"})
    assert statement_alone(engine, answer, {"id": "first"}) == 1
    assert statement_alone(engine, answer, {"id": "nobody"}) == 0
    assert len(commits) == (0 if database_url.startswith("postgresql") else 2)
    with sessions() as session:
        assert session.scalar(select(SlackTrigger.answer).where(SlackTrigger.trigger_id == "first")) == {"text": "ok"}

    with one_transaction(engine) as unit:
        statement_alone(engine, update(SlackTrigger).values(answer=None))
        unit.transaction.rollback()
    with sessions() as session:
        assert session.scalar(select(SlackTrigger.answer).where(SlackTrigger.trigger_id == "first")) == {"text": "ok"}
