"""Engine and session factory, built on demand (never at import time)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from bot.core.transactions import Sessions

BUSY_TIMEOUT = 30.0
"""Seconds a SQLite transaction waits for another process's write lock before it fails."""
IDLE_PING = 10.0
"""Seconds a PostgreSQL connection may lie in the pool before it is pinged at checkout."""


def make_engine(url: str, busy_timeout: float = BUSY_TIMEOUT, idle_ping: float = IDLE_PING) -> Engine:
    """An engine that behaves the same under threads on SQLite and PostgreSQL."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, busy_timeout)
    engine = create_engine(url, pool_size=10, max_overflow=20)
    _ping_when_idle(engine, idle_ping)
    return engine


def _ping_when_idle(engine: Engine, idle_ping: float) -> None:
    """Ping a connection at checkout only if it lay unused for ``idle_ping`` seconds, and replace it if
    the server has gone. SQLAlchemy's ``pool_pre_ping`` pings at every checkout, a round trip that a
    declare's ack paid twice or three times in a burst, when connections are minutes fresh."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < idle_ping:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("the pooled connection is gone") from exc
        if not alive:
            raise DisconnectionError("the pooled connection is gone")


def _sqlite_engine(url: str, busy_timeout: float) -> Engine:
    """SQLite with one transaction at a time per process, each holding the write lock from its start.

    SQLite has one writer. Left alone, pysqlite begins lazily and upgrades to a write lock at the
    first write; two threads doing so collide, and the loser polls with sleeps of up to 100 ms
    (seen as a 500 ms tail on acks under load). Here threads queue on a lock instead, and
    ``BEGIN IMMEDIATE`` keeps another process (a separate worker) from interleaving. A thread must
    not open a second transaction while it holds one: it would wait on itself. A connection with
    the ``PLAIN_READ`` option takes no lock at all (WAL lets it read beside a writer).
    """
    # Every thread that waits for the write lock holds a connection while it waits; a bounded pool
    # would turn a lock held elsewhere into "no connection" errors for readers too. A connection here
    # is a file handle, and the threads are bounded by their own pools.
    pool = {} if ":memory:" in url else {"pool_size": 10, "max_overflow": -1}
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout}, **pool)
    one_at_a_time = threading.RLock()

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event below says BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if ":memory:" not in url:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        if connection.get_execution_options().get("plain_read"):
            return
        one_at_a_time.acquire()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            one_at_a_time.release()
            raise
        connection.info["holds_lock"] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _end(connection) -> None:
        if connection.info.pop("holds_lock", False):
            one_at_a_time.release()

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep their objects readable after a commit, and join a thread's ``one_transaction``."""
    return Sessions(engine, expire_on_commit=False)


PLAIN_READ = {"plain_read": True}
"""Execution options of a read that must not wait for a writer (on SQLite, for its write lock)."""


def ping(engine: Engine) -> None:
    """Raise if the database cannot answer a trivial query; a plain read, so a writer never holds it up."""
    with engine.connect().execution_options(**PLAIN_READ) as connection:
        connection.execute(text("SELECT 1"))


def database_busy(exc: BaseException) -> bool:
    """Whether ``exc`` says the database could not take the work yet, before any of it was written:
    SQLite giving up on the write lock another process held past ``busy_timeout`` (every transaction
    here takes it at its ``BEGIN IMMEDIATE``, before it writes), or no pooled connection free within
    the pool's timeout (PostgreSQL's connections all waiting on a lock held elsewhere). Such work can
    simply be tried again."""
    if isinstance(exc, PoolTimeout):
        return True
    return isinstance(exc, OperationalError) and str(exc.orig) in ("database is locked", "database is busy")


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_for(session: Session):
    """The INSERT of the session's database, with its ``ON CONFLICT`` (one statement where a select
    then an insert would race another process)."""
    return _INSERTS[session.get_bind().dialect.name]
