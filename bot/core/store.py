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

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event, func, inspect, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.core.errors import IncidentNotFound
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

_EVENTS = selectinload(Incident.events)
FULL = (
    selectinload(Incident.roles),
    _EVENTS,
    selectinload(Incident.pages).selectinload(Page.notifications),
    selectinload(Incident.subscriptions),
)
"""Everything that rendering and the rules read, loaded up front (no lazy loads later)."""

SLACK_SIDE = frozenset({
    "channel_id", "channel_name", "channel_topic", "invited_users", "summary_ts", "summary_pinned",
    "announcement_channel_id", "announcement_ts", "revision", "synced_revision", "sync_owner", "sync_lease_until",
    "sync_retry_at", "sync_failures", "sync_error",
})
"""Columns of an incident that record what Slack has, not what happened: changing them is no change."""

_PARTS = (TimelineEvent, RoleAssignment, Page, Delivery, Subscription, Alert, Report, ActionItem)
_CHANGED = "incidents_changed"


def load(session: Session, incident_id: int, lock: bool = False, timeline: bool = True) -> Incident:
    """The incident with what rules and rendering read; without its ``timeline`` where only new events
    are written (an alert storm appends, it never reads back)."""
    options = FULL if timeline else tuple(o for o in FULL if o is not _EVENTS)
    query = select(Incident).where(Incident.id == incident_id).options(*options)
    incident = session.scalars(query.with_for_update(of=Incident) if lock else query).first()
    if incident is None:
        raise IncidentNotFound(f"There is no incident INC-{incident_id}.")
    return incident


@contextmanager
def changing(sessions: sessionmaker[Session], incident_id: int) -> Iterator[Incident]:
    """One transaction holding the incident's row lock, everything loaded."""
    with sessions() as session, session.begin():
        yield load(session, incident_id, lock=True)


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
        if announce:
            for incident_id in sorted((bumped | new) - done):
                session.execute(select(func.pg_notify(func.concat(CHANGES, func.current_schema()), str(incident_id))))
        done |= bumped | new

    @event.listens_for(sessions, "after_commit")
    def _tell(session: Session) -> None:
        for incident_id in sorted(session.info.pop(_CHANGED, ())):
            changed(incident_id)

    @event.listens_for(sessions, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(_CHANGED, None)


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


def pending_deliveries(incident: Incident) -> list[Delivery]:
    return [d for d in incident.deliveries if d.sent_at is None and d.skipped is None]
