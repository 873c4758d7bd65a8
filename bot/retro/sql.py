"""The few SQL pieces the two dialects spell differently, and the buckets table; one query builder for both."""

from __future__ import annotations

from sqlalchemy import CTE, Float, String, case, func, literal, select, text, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from bot.retro.periods import Bucket
from models.types import UTCDateTime


class seconds_between(FunctionElement):  # noqa: N801 (an SQL function's name)
    """``end - start`` in seconds, as a float."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between)
def _epoch(element, compiler, **kw) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({end}) - ({start})) AS DOUBLE PRECISION)"


@compiles(seconds_between, "sqlite")
def _julian(element, compiler, **kw) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


def without_jit(session: Session) -> None:
    """PostgreSQL only, for this transaction: the bucket joins' row estimates are pessimistic, so the
    planner thinks these queries big enough to compile with JIT, which costs more (0.5-0.8 s measured
    in bench/stats.py) than running them (tens of ms)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def earlier(a: ColumnElement, b: ColumnElement) -> ColumnElement:
    return case((a < b, a), else_=b)


def later(a: ColumnElement, b: ColumnElement) -> ColumnElement:
    return case((a > b, a), else_=b)


def buckets_table(buckets: list[Bucket], name: str) -> CTE:
    """``(label, lo, hi)`` rows, one per bucket, as a CTE the figures join on."""
    rows = [select(literal(b.label, String).label("label"), literal(b.start, UTCDateTime).label("lo"),
                   literal(b.end, UTCDateTime).label("hi")) for b in buckets]
    return (rows[0] if len(rows) == 1 else union_all(*rows)).cte(name)


def spread(order: ColumnElement, partition: list[ColumnElement], percents: tuple[int, ...], *,
           counted: ColumnElement, prefix: str):
    """Percentiles computed in the database on both dialects (SQLite has no percentile_cont).

    Returns the window columns to add to a ranked subquery (``<prefix>_i``, the 0-based rank by
    ``order``, nulls last; ``<prefix>_n``, how many non-null ``counted`` values) and a function that,
    given that subquery's columns, builds one aggregate per percent: linear interpolation between the
    two ranks around ``(n - 1) * p``, as percentile_cont does."""
    window = [(func.row_number().over(partition_by=partition, order_by=order) - 1).label(f"{prefix}_i"),
              func.count(counted).over(partition_by=partition).label(f"{prefix}_n")]

    def aggregates(i: ColumnElement, n: ColumnElement, v: ColumnElement) -> list[ColumnElement]:
        found = []
        for p in percents:
            position = (n - 1) * p
            low = position // 100
            fraction = (position % 100) / 100.0
            weight = case((n == 0, None), (i == low, 1 - fraction), (i == low + 1, fraction), else_=0)
            found.append(func.sum(v * weight).label(f"{prefix}_p{p}"))
        return found

    return window, aggregates
