"""Loading and changing an incident: the one unit of work every service shares, and the one place
that says an incident changed.

An incident's ``revision`` is how the Slack side knows it is behind. No service bumps it: a flush
hook does, once per transaction, for every incident whose rows changed (the incident itself, its
timeline, roles, pages, DMs owed, subscribers, alerts, report, action items), and after the commit the incidents that
changed are handed to whoever watches (the Slack effects). A change made anywhere, by any path,
cannot forget to tell Slack. What the Slack side writes back (ids, ``ts``, lease and retry
bookkeeping) is written with plain UPDATE statements, outside the hook, so it never counts as a change.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import (
    BindParameter,
    Insert,
    String,
    Table,
    bindparam,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from bot.core.errors import IncidentNotFound
from bot.core.loading import IncidentParts, Part
from bot.core.transactions import after_work
from models import (
    ActionItem,
    Alert,
    Delivery,
    Incident,
    Page,
    PageNotification,
    Report,
    RoleAssignment,
    Subscription,
    TimelineEvent,
)
from models.incident import incident_number
from models.timer import Timer

FULL = IncidentParts(
    Part(Incident.roles),
    Part(Incident.events),
    Part(Incident.pages, parts=(Part(Page.notifications),)),
    Part(Incident.subscriptions),
)
"""Everything that rendering and the rules read, loaded up front (no lazy loads later)."""
_WITHOUT_TIMELINE = FULL.without(Incident.events)

SLACK_SIDE = frozenset({
    "channel_id", "channel_name", "channel_topic", "invited_users", "summary_ts", "summary_pinned", "summary_shown",
    "announcement_channel_id", "announcement_ts", "announcement_shown", "revision", "synced_revision", "sync_owner",
    "sync_lease_until", "sync_retry_at", "sync_failures", "sync_error",
})
"""Columns of an incident that record what Slack has, not what happened: changing them is no change."""

_PARTS = (TimelineEvent, RoleAssignment, Page, Delivery, Subscription, Alert, Report, ActionItem)
_CHANGED, _ANNOUNCED, _ANNOUNCING = "incidents_changed", "incidents_announced", "incidents_announcing"


def load(session: Session, incident_id: int, lock: bool = False, timeline: bool = True) -> Incident:
    """The incident with what rules and rendering read; without its ``timeline`` where only new events
    are written (an alert storm appends, it never reads back)."""
    incident = (FULL if timeline else _WITHOUT_TIMELINE).read(session, incident_id, lock=lock)
    if incident is None:
        raise IncidentNotFound(f"There is no incident {incident_number(incident_id)}.")
    return incident


@contextmanager
def changing(sessions: sessionmaker[Session], incident_id: int, timeline: bool = True) -> Iterator[Incident]:
    """The unit of work of every change to an incident (a person's, a timer's): one transaction holding
    the incident's row lock, taken before any of its other rows, everything loaded (without the
    ``timeline`` where only new events are written). Its session is ``object_session(incident)``."""
    with sessions() as session, session.begin():
        yield load(session, incident_id, lock=True, timeline=timeline)


def insert_new(session: Session, incident: Incident, complete: Callable[[Incident], Sequence[dict]]) -> None:
    """Write a new incident and what ``complete(incident)`` gives it once it has its id: roles, timeline
    events and DMs owed, in memory, and the rows of its first timers (``bot.jobs.timers.new_row``),
    returned. A declare's ack waits for this, and the ORM's unit of work costs it more than the
    database does, so the rows go in by SQLAlchemy Core; the object stays transient (detached from
    the session), with every column as written. It counts as changed: at revision 1, told after the
    commit like any other change.

    On PostgreSQL the id is the next value of the incidents' sequence, and everything goes in by one
    statement (an INSERT per table in one WITH, the NOTIFY of the change in its RETURNING): each
    statement costs the ack more of SQLAlchemy's and psycopg's CPU than of the database's. SQLite,
    which has neither sequences nor INSERT in WITH, takes one INSERT per table."""
    changed: set[int] = session.info.setdefault(_CHANGED, set())
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        incident.id = session.execute(_NEXT_INCIDENT_ID).scalar_one()
    else:
        row = _row(incident)
        del row["id"]
        incident.id = session.execute(_INSERT_INCIDENT, row).scalar_one()
    changed.add(incident.id)
    timers = complete(incident)
    for part in (*incident.roles, *incident.events, *incident.deliveries):
        part.incident_id = incident.id
    parts = [(table, rows) for table, rows in (
        (RoleAssignment.__table__, [_row(role, key=False) for role in incident.roles]),
        (TimelineEvent.__table__, [_row(event, key=False) for event in incident.events]),
        (Delivery.__table__, [_row(delivery, key=False) for delivery in incident.deliveries]),
        (Timer.__table__, list(timers)),
    ) if rows]
    if not postgres:
        for table, rows in parts:
            session.execute(_INSERT_PART[table], rows[0] if len(rows) == 1 else rows)  # one row: no executemany
        return
    announce = session.info.get(_ANNOUNCING, False)
    tables = [(Incident.__table__, [_row(incident)]), *parts]
    shape = tuple((table, len(rows), _written(table, rows)) for table, rows in tables)
    params = {_param(n, i, key): row[key] for n, (_table, rows, columns) in enumerate(shape)
              for i, row in enumerate(tables[n][1]) for key in columns}
    if announce:
        params |= {"channel": CHANGES, "incident": str(incident.id)}
        session.info.setdefault(_ANNOUNCED, set()).add(incident.id)
    session.execute(_insert_all(shape, announce), params)


_NEXT_INCIDENT_ID = select(func.nextval(func.pg_get_serial_sequence(Incident.__tablename__, "id")))
_INSERT_INCIDENT = insert(Incident.__table__).returning(Incident.__table__.c.id)
_INSERT_PART = {model.__table__: insert(model.__table__) for model in (RoleAssignment, TimelineEvent, Delivery, Timer)}
_INCIDENT_ID = ("id", "incident_id")
"""The incident's id and its parts' reference to it: one parameter for all of them."""


def _written(table: Table, rows: Sequence[dict]) -> tuple[str, ...]:
    """The columns of ``table`` that ``rows`` give a value (a NULL is left to the column, which has no
    other default), so that the statement stays under psycopg's 50 parameters and 4 KiB, the most it
    keeps a converted query for (past that it parses it again at every declare)."""
    return tuple(column.key for column in table.columns if column.key in rows[0]
                 and (column.server_default is not None or any(row[column.key] is not None for row in rows)))


def _param(table: int, row: int, key: str) -> str:
    return "incident_id" if key in _INCIDENT_ID else f"p{table}_{row}_{key}"


@functools.cache
def _insert_all(shape: tuple[tuple[Table, int, tuple[str, ...]], ...], announce: bool) -> Insert:
    """The one statement that writes a new incident (its id given, ``shape[0]``) with its parts, ``shape``
    saying how many rows each table gets and which of its columns: built and compiled once per shape,
    then only its parameters change."""
    rows = [[{key: bindparam(_param(n, i, key), type_=table.c[key].type) for key in columns} for i in range(count)]
            for n, (table, count, columns) in enumerate(shape)]
    parts = [_insert_rows(table, part).cte(f"new_{table.name}") for (table, _, _), part in zip(shape[1:], rows[1:], strict=True)]
    statement = insert(shape[0][0]).values(rows[0][0]).add_cte(*parts)
    if announce:
        return statement.returning(func.pg_notify(bindparam("channel", type_=String) + func.current_schema(),
                                                  bindparam("incident")))
    return statement


def _insert_rows(table: Table, rows: list[dict[str, BindParameter]]) -> Insert:
    """INSERT of rows of parameters; more than one as INSERT ... SELECT ... UNION ALL SELECT ...: SQLAlchemy
    keeps no cache key for a multi-row VALUES, and would compile the statement at every declare."""
    if len(rows) == 1:
        return insert(table).values(rows[0])
    return insert(table).from_select(list(rows[0]), union_all(*(select(*row.values()) for row in rows)))


def _row(obj: object, key: bool = True) -> dict:
    """A transient object's columns (its primary key too with ``key``), each column's default
    filled in, on the object as well, where the object has no value."""
    row = {}
    for column in obj.__table__.columns:
        if column.primary_key and not key:
            continue
        value = getattr(obj, column.key)
        if value is None and column.default is not None:
            value = column.default.arg(None) if column.default.is_callable else column.default.arg
            setattr(obj, column.key, value)
        row[column.key] = value
    return row


CHANGES = "incidents_changed_"
"""PostgreSQL's channel on which a committed change of an incident is announced to other processes,
followed by the schema's name (two deployments, or test runs, sharing a database do not hear each other)."""


def watch_incidents(sessions: sessionmaker[Session], changed: Callable[[int], None], announce: bool = False) -> None:
    """Bump the revision of every incident a transaction changes (once, in SQL, so that concurrent
    changes never overwrite each other's bump), and call ``changed(id)`` for each once it committed.
    With ``announce`` (PostgreSQL), each is also NOTIFYed on ``CHANGES`` in the same transaction, so
    workers in other processes hear of it the moment it commits, and never of a change rolled back."""

    @event.listens_for(sessions, "after_flush")
    def _bump(session: Session, _context) -> None:
        done: set[int] = session.info.setdefault(_CHANGED, set())
        new = {obj.id for obj in session.new if isinstance(obj, Incident)}  # revision 1 already
        bumped = _changed_incidents(session) - done - new
        if bumped:
            session.execute(update(Incident).where(Incident.id.in_(bumped)).values(revision=Incident.revision + 1))
        done |= bumped | new

    if announce:
        sessions.configure(info={**sessions.kw.get("info", {}), _ANNOUNCING: True})  # insert_new announces in its INSERT

        @event.listens_for(sessions, "before_commit")
        def _announce(session: Session) -> None:
            session.flush()  # the last changes' hook runs first, so none is left out
            told: set[int] = session.info.setdefault(_ANNOUNCED, set())
            for incident_id in sorted(session.info.get(_CHANGED, set()) - told):
                session.execute(_NOTIFY, {"channel": CHANGES, "incident": str(incident_id)})
                told.add(incident_id)

    @event.listens_for(sessions, "after_commit")
    def _tell(session: Session) -> None:
        session.info.pop(_ANNOUNCED, None)
        for incident_id in sorted(session.info.pop(_CHANGED, ())):
            after_work(functools.partial(changed, incident_id))  # a shared transaction commits later

    @event.listens_for(sessions, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(_CHANGED, None)
        session.info.pop(_ANNOUNCED, None)


_NOTIFY = text("SELECT pg_notify(:channel || current_schema(), :incident)")


def _changed_incidents(session: Session) -> set[int]:
    """The incidents whose rows a flush just wrote (asked after it, when every new row has its keys)."""
    ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Incident):
            if _domain_change(obj):
                ids.add(obj.id)
        elif isinstance(obj, _PARTS):
            ids.add(obj.incident_id)
        elif isinstance(obj, PageNotification):
            ids.add(session.get(Page, obj.page_id).incident_id)
    return ids - {None}


def _domain_change(incident: Incident) -> bool:
    """Whether a column other than the Slack side's bookkeeping changed."""
    state = inspect(incident)
    return any(state.attrs[column.key].history.has_changes()
               for column in Incident.__table__.columns if column.key not in SLACK_SIDE)
