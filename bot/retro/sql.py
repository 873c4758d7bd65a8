"""The few SQL pieces the two dialects spell differently, and the buckets table; one query builder for both."""

from __future__ import annotations

from sqlalchemy import CTE, Float, String, case, literal, select, union_all
from sqlalchemy.ext.compiler import compiles
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


def earlier(a: ColumnElement, b: ColumnElement) -> ColumnElement:
    return case((a < b, a), else_=b)


def later(a: ColumnElement, b: ColumnElement) -> ColumnElement:
    return case((a > b, a), else_=b)


def buckets_table(buckets: list[Bucket], name: str) -> CTE:
    """``(label, lo, hi)`` rows, one per bucket, as a CTE the figures join on."""
    rows = [select(literal(b.label, String).label("label"), literal(b.start, UTCDateTime).label("lo"),
                   literal(b.end, UTCDateTime).label("hi")) for b in buckets]
    return (rows[0] if len(rows) == 1 else union_all(*rows)).cte(name)


def spread(value: ColumnElement, partition: list[ColumnElement], percents: tuple[int, ...]):
    """Helpers for percentiles computed in the database on both dialects (SQLite has no percentile_cont).

    Returns the window columns to add to a ranked subquery (``i`` the 0-based rank of ``value``, ``n``
    the count) and a function that, given that subquery's columns, builds one aggregate per percent:
    linear interpolation between the two ranks around ``(n - 1) * p``, as percentile_cont does."""
    from sqlalchemy import func

    window = [(func.row_number().over(partition_by=partition, order_by=value) - 1).label("i"),
              func.count().over(partition_by=partition).label("n")]

    def aggregates(i: ColumnElement, n: ColumnElement, v: ColumnElement) -> list[ColumnElement]:
        found = []
        for p in percents:
            position = (n - 1) * p
            low = position // 100
            fraction = (position % 100) / 100.0
            weight = case((i == low, 1 - fraction), (i == low + 1, fraction), else_=0)
            found.append(func.sum(v * weight).label(f"p{p}"))
        return found

    return window, aggregates
