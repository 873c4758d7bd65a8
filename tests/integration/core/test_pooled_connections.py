"""A pooled PostgreSQL connection is pinged at checkout only after lying idle, and replaced if the
server has dropped it meanwhile (a restart, an idle timeout): fresh ones cost no round trip."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.core.db import make_engine


@pytest.fixture
def postgres(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the pool's ping is PostgreSQL's; a SQLite connection is a file handle")
    return database_url


def backend_of(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def terminate(url: str, pid: int) -> None:
    killer = make_engine(url)
    with killer.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    killer.dispose()


def test_a_connection_the_server_dropped_while_it_was_idle_is_replaced(postgres):
    engine = make_engine(postgres, idle_ping=0)
    dropped = backend_of(engine)
    terminate(postgres, dropped)
    assert backend_of(engine) != dropped  # pinged at checkout, found gone, replaced: no error
    engine.dispose()


def test_a_connection_back_in_the_pool_a_moment_ago_is_not_pinged(postgres):
    engine = make_engine(postgres, idle_ping=60)
    terminate(postgres, backend_of(engine))
    with pytest.raises(OperationalError):  # no ping: the first statement meets the dropped connection
        backend_of(engine)
    assert backend_of(engine)  # and the pool has let it go
    engine.dispose()
