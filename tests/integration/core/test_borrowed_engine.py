"""An app wired with an engine it was handed leaves that engine to its owner: closing the app keeps the
pool's connections (and the statements compiled for it) for the next app; an app that made its own
engine disposes it."""

from sqlalchemy import select

from bot.app import build_context
from bot.config import IncidentConfig, load_settings
from bot.core.db import make_engine
from models import Incident


def used_and_closed(settings, **wiring):
    ctx = build_context(settings, IncidentConfig(), **wiring)
    with ctx.sessions() as session:
        session.scalars(select(Incident)).all()
    pool = ctx.engine.pool
    ctx.close()
    return ctx.engine, pool


def test_a_borrowed_engine_keeps_its_connections_after_the_app_closes(engine, database_url):
    settings = load_settings({"DATABASE_URL": database_url})
    borrowed = make_engine(database_url)
    try:
        kept, pool = used_and_closed(settings, engine=borrowed)
        assert kept is borrowed and kept.pool is pool, "not disposed: the same pool"
        assert pool.checkedin() == 1, "the connection it used is still open, ready for the next app"
        with borrowed.connect() as connection:  # and usable
            assert connection.scalar(select(Incident.id).limit(1)) is None
    finally:
        borrowed.dispose()


def test_an_engine_the_app_made_is_disposed_with_it(engine, database_url):
    own, pool = used_and_closed(load_settings({"DATABASE_URL": database_url}))
    assert own.pool is not pool, "disposed: the engine's pool was replaced by an empty one"
    assert pool.checkedin() == 0
