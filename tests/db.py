"""The test database: SQLite in a temporary file by default, PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, inspect, make_url, text

from bot.core.db import BUSY_TIMEOUT, make_engine
from models import Base

ROOT = Path(__file__).resolve().parent.parent


def test_database_url(tmp_dir: Path) -> str:
    """SQLite in ``tmp_dir``; on PostgreSQL, a schema of this run's own (see ``private_schema``)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / 'test.db'}"
    return make_url(url).update_query_dict({"options": f"-csearch_path={RUN_SCHEMA}"}).render_as_string(hide_password=False)


RUN_SCHEMA = f"test_run_{os.getpid()}"


@contextmanager
def private_schema(url: str) -> Iterator[None]:
    """Let runs share one PostgreSQL database without touching each other's tables."""
    if not url.startswith("postgresql"):
        yield
        return
    admin = create_engine(make_url(url).difference_update_query(["options"]))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {RUN_SCHEMA}"))
    try:
        yield
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {RUN_SCHEMA} CASCADE"))
        admin.dispose()


def alembic_config(connection) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["connection"] = connection
    config.attributes["configure_logging"] = False
    return config


def drop_everything(engine: Engine) -> None:
    """Start from an empty schema, whatever an earlier run left behind."""
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        if "alembic_version" in inspect(connection).get_table_names():
            connection.execute(text("DROP TABLE alembic_version"))


def migrate(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def empty_tables(engine: Engine) -> None:
    """Every table emptied and every id counter restarted, in one round trip: a script of DELETEs
    (on tables this small DELETE beats TRUNCATE, 8 ms against 27 on PostgreSQL), sent as one
    string on the driver's own connection instead of a statement each through SQLAlchemy (4 ms a
    test on SQLite, ~1,200 tests a run). PostgreSQL's counters are set back by ``setval``:
    ``ALTER SEQUENCE … RESTART`` gives each sequence a new file, flushed at the commit (twenty
    of them took 10 ms a test, the DELETEs 0.6; setval, 0.4)."""
    script = _emptying_script(engine)
    connection = engine.raw_connection()
    try:
        if engine.dialect.name == "sqlite":
            connection.driver_connection.executescript(script)  # its own BEGIN and COMMIT
        else:
            with connection.cursor() as cursor:
                cursor.execute(script)  # no parameters: psycopg sends it as one simple query
            connection.commit()
    finally:
        connection.close()


_scripts: dict[str, str] = {}


def _emptying_script(engine: Engine) -> str:
    """The script ``empty_tables`` sends, worked out at its first use in this process (the schema's
    tables and sequences are the migrations', the same for the whole run)."""
    key = engine.url.render_as_string()
    if key not in _scripts:
        deletes = [f"DELETE FROM {t.name};" for t in reversed(Base.metadata.sorted_tables)]
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                sequences = connection.execute(text("SELECT sequencename, start_value FROM pg_sequences "
                                                    "WHERE schemaname = current_schema()")).all()
                restarts = ", ".join(f"setval('\"{name}\"', {start}, false)" for name, start in sequences)
                _scripts[key] = " ".join(deletes + ([f"SELECT {restarts};"] if sequences else []))
            else:
                counters = ["DELETE FROM sqlite_sequence;"] if "sqlite_sequence" in inspect(connection).get_table_names() else []
                _scripts[key] = "BEGIN IMMEDIATE; " + " ".join(deletes + counters) + " COMMIT;"
    return _scripts[key]


_engines: dict[tuple[str, float], Engine] = {}


def shared_engine(url: str, busy_timeout: float = BUSY_TIMEOUT) -> Engine:
    """This test process's engine for ``url``, which every test and every app it starts borrows
    (``build_context(engine=...)``), as one bot process keeps one engine for its life: a test
    then starts with the pool's connections open and SQLAlchemy's statements compiled, which a
    fresh engine per test paid again each time (a fifth of a one-declare test's CPU, and a
    PostgreSQL backend started per connection). Disposed with ``dispose_shared`` at the end."""
    key = (url, busy_timeout)
    if key not in _engines:
        _engines[key] = make_engine(url, busy_timeout)
    return _engines[key]


def dispose_shared() -> None:
    while _engines:
        _engines.popitem()[1].dispose()
