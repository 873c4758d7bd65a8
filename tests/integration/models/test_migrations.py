"""The Alembic history creates exactly the models, and can go down and up again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from models import Base
from tests import db


def differences(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, Base.metadata)


def test_the_migrations_create_exactly_the_models(engine):
    assert differences(engine) == []


def test_upgrade_downgrade_upgrade(engine):
    db.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    db.migrate(engine)
    assert {"incidents", "role_assignments", "timeline_events"} <= set(inspect(engine).get_table_names())
    assert differences(engine) == []
