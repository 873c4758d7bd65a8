"""Loading an incident with its parts by SELECTs built once, one per collection.

SQLAlchemy's ``selectinload`` builds each of its sub-queries' cache keys again at every load, out
of every option given (nested ones included): for an incident with its roles, timeline, pages and
their notifications, subscribers and DMs owed, that was 8-13 ms of CPU per load and the largest
part of the worker's CPU per declare (profiled over a burst), for a handful of rows. The same rows
by statements built once, whose cache keys SQLAlchemy keeps, cost a fifth of it. Each statement is
made from its relationship's own join and order, so nothing here restates the models.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, inspect, select
from sqlalchemy.orm import RelationshipDirection, Session
from sqlalchemy.orm.attributes import set_committed_value

from models import Incident


@dataclass(frozen=True, eq=False)
class Part:
    """A relationship to load (``attr``, e.g. ``Incident.roles``), narrowed to the rows ``where`` says
    (a collection of only what some work needs), with the parts to load under each of its rows."""

    attr: Any
    where: tuple = ()
    parts: tuple[Part, ...] = ()


class IncidentParts:
    """What is read with an incident, each part by one statement, built at the first read (once every
    mapper is configured: the relationships' joins and orders are known then)."""

    def __init__(self, *parts: Part) -> None:
        self.parts = parts
        self._steps: dict[tuple[Part, ...], _Step] | None = None

    def without(self, attr: Any) -> IncidentParts:
        return IncidentParts(*(part for part in self.parts if part.attr is not attr))

    def read(self, session: Session, incident_id: int, lock: bool = False, refresh: bool = False) -> Incident | None:
        """The incident (its row locked with ``lock``) with its parts, or None if there is none; with
        ``refresh`` every row is read again, whatever the session already holds."""
        incident = session.scalars(_LOCKED if lock else _INCIDENT, {"incident_id": incident_id},
                                   execution_options=_REFRESH if refresh else {}).first()
        if incident is not None:
            self.load(session, incident, refresh)
        return incident

    def load(self, session: Session, incident: Incident, refresh: bool = False) -> None:
        """Fill the incident's parts (and theirs, nested) as an eager load would: one already loaded is
        kept, unless ``refresh`` reads everything again."""
        if self._steps is None:
            self._steps = {path: _Step.of(path) for path in _paths(self.parts)}
        for part in self.parts:
            self._fill(session, incident.id, [incident], (part,), refresh)

    def _fill(self, session: Session, incident_id: int, parents: list, path: tuple[Part, ...], refresh: bool) -> None:
        step = self._steps[path]
        if not refresh:
            parents = [parent for parent in parents if step.attr in inspect(parent).unloaded]
        if not parents:
            return
        rows = list(session.scalars(step.statement, {"incident_id": incident_id},
                                    execution_options=_REFRESH if refresh else {}))
        if step.many:  # one-to-many: each parent's rows, in the statement's (the relationship's) order
            grouped = defaultdict(list)
            for row in rows:
                grouped[getattr(row, step.row_key)].append(row)
            for parent in parents:
                set_committed_value(parent, step.attr, grouped.get(getattr(parent, step.parent_key), []))
        else:  # many-to-one, or one-to-one: each parent's row, matched by the key they share
            by_key = {getattr(row, step.row_key): row for row in rows}
            for parent in parents:
                set_committed_value(parent, step.attr, by_key.get(getattr(parent, step.parent_key)))
        for sub in path[-1].parts:
            self._fill(session, incident_id, rows, (*path, sub), refresh)


class _Step(NamedTuple):
    """How one part is read: its statement, and the keys that match its rows to their parents."""

    statement: Select
    attr: str  # the relationship's name on the parent
    many: bool
    row_key: str  # the attribute of a row that holds its parent's key (or, many-to-one, its own)
    parent_key: str

    @classmethod
    def of(cls, path: tuple[Part, ...]) -> _Step:
        relationship = path[-1].attr.property
        (local, remote), = relationship.local_remote_pairs
        return cls(_statement(path), relationship.key, relationship.uselist,
                   relationship.mapper.get_property_by_column(remote).key,
                   relationship.parent.get_property_by_column(local).key)


_INCIDENT_ID = bindparam("incident_id")
_INCIDENT = select(Incident).where(Incident.id == _INCIDENT_ID)
_LOCKED = _INCIDENT.with_for_update(of=Incident)
_REFRESH = {"populate_existing": True}


def _paths(parts: tuple[Part, ...], above: tuple[Part, ...] = ()) -> Iterator[tuple[Part, ...]]:
    for part in parts:
        yield (*above, part)
        yield from _paths(part.parts, (*above, part))


def _statement(path: tuple[Part, ...]) -> Select:
    """The rows of ``path``'s last part under one incident (``:incident_id``): joined up through the
    parts above it to the incident's own collection, narrowed as each part on the way says."""
    relationship = path[-1].attr.property
    statement = select(relationship.mapper.class_)
    for part in reversed(path[1:]):  # from the rows up to the incident's own collection
        statement = statement.join(part.attr.property.parent.class_, part.attr.property.primaryjoin)
    top = path[0].attr.property
    if top.parent.class_ is not Incident or top.direction is not RelationshipDirection.ONETOMANY:
        raise ValueError(f"{path[0].attr} is not a collection (nor a row) of an incident")
    (_, incident_key), = top.local_remote_pairs
    statement = statement.where(incident_key == _INCIDENT_ID, *(c for part in path for c in part.where))
    if relationship.uselist and relationship.order_by:
        statement = statement.order_by(*relationship.order_by)
    return statement
