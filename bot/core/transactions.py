"""One transaction for a request's work: the trigger taken, the change made and the answer kept.

A command's ack waits for its work, and each transaction costs a pool checkout, a BEGIN and a
COMMIT (on PostgreSQL a WAL flush). Inside ``one_transaction`` every session the thread opens from
``Sessions`` joins the same connection and transaction, whichever service opens it: a session's
``commit`` only ends its part, and the one COMMIT comes at the end. What must follow a commit
(telling the Slack side of a change, work handed to other threads) waits for that COMMIT through
``after_work``, since another connection could not yet read what was written.

A session that rolls back rolls the whole transaction back (SQLAlchemy's ``rollback_only``); from
then on the thread's sessions are on their own again, each with its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, Executable, RootTransaction
from sqlalchemy.orm import Session, sessionmaker


@dataclass
class Unit:
    """The transaction a thread's work shares, and what waits for its end."""

    connection: Connection
    transaction: RootTransaction
    waiting: list[tuple[Callable[[], object], bool]] = field(default_factory=list)
    committed: bool = False

    @property
    def intact(self) -> bool:
        """Whether no session has rolled the shared transaction back (its work is all still in it)."""
        return self.transaction.is_active


_unit: ContextVar[Unit | None] = ContextVar("transaction_unit", default=None)


class Sessions(sessionmaker[Session]):
    """A session factory whose sessions join the thread's ``one_transaction``, while it is intact."""

    def __call__(self, **local_kw) -> Session:
        unit = _unit.get()
        if unit is not None and unit.intact and "bind" not in local_kw:
            local_kw.update(bind=unit.connection, join_transaction_mode="rollback_only")
        return super().__call__(**local_kw)


@contextmanager
def one_transaction(engine: Engine) -> Iterator[Unit]:
    """The thread's sessions share one transaction until the block ends; it commits then if it is
    still intact. Then what ``after_work`` kept runs, in order: all of it after a commit, only what
    does not depend on one if a session rolled back. A block that raises is rolled back whole and
    runs nothing it kept: its work is tried again whole (``persist``), or has failed."""
    with engine.connect() as connection:
        unit = Unit(connection, connection.begin())
        token = _unit.set(unit)
        try:
            yield unit
            if unit.intact:
                unit.transaction.commit()
                unit.committed = True
        finally:
            _unit.reset(token)
            if unit.transaction.is_active:
                unit.transaction.rollback()
    for run, needs_commit in unit.waiting:
        if unit.committed or not needs_commit:
            run()


def statement_alone(engine: Engine, statement: Executable, params: dict | None = None) -> int:
    """Run one statement that is a transaction by itself (a write that must last at once, whatever
    follows it) and give its rowcount. On PostgreSQL it runs in autocommit: one round trip where BEGIN,
    the statement and COMMIT took three, for what the Slack side records after each call (six writes a
    declare); on SQLite it is a transaction like any other, behind the write lock. Inside an intact
    ``one_transaction`` it is part of that transaction, as a session would be."""
    unit = _unit.get()
    if unit is not None and unit.intact:
        return unit.connection.execute(statement, params).rowcount
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            return connection.execute(statement, params).rowcount
    with engine.begin() as connection:
        return connection.execute(statement, params).rowcount


def after_work(run: Callable[[], object], needs_commit: bool = True) -> None:
    """``run()`` now, or inside an intact ``one_transaction`` once it is over (with ``needs_commit``,
    only if it committed: what was written is then what another connection reads)."""
    unit = _unit.get()
    if unit is None or not unit.intact:
        run()
    else:
        unit.waiting.append((run, needs_commit))
