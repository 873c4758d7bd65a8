"""A PostgreSQL schema of a benchmark's own, so it never touches the tables of a test run."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
"""The benches' PostgreSQL when none is given: the machine's, as the tests use it (scripts/test)."""


@contextmanager
def own_schema(url: str, schema: str) -> Iterator[str]:
    """``url`` itself for SQLite; on PostgreSQL, a URL into a fresh ``schema``, dropped at the end."""
    if not url.startswith("postgresql"):
        yield url
        return
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
