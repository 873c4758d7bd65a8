"""Loading and changing an incident: the one unit of work every service shares."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.core.errors import IncidentNotFound
from models import Delivery, Incident, Page

FULL = (
    selectinload(Incident.roles),
    selectinload(Incident.events),
    selectinload(Incident.pages).selectinload(Page.notifications),
    selectinload(Incident.subscriptions),
)
"""Everything that rendering and the rules read, loaded up front (no lazy loads later)."""


def load(session: Session, incident_id: int, lock: bool = False) -> Incident:
    query = select(Incident).where(Incident.id == incident_id).options(*FULL)
    incident = session.scalars(query.with_for_update(of=Incident) if lock else query).first()
    if incident is None:
        raise IncidentNotFound(f"There is no incident INC-{incident_id}.")
    return incident


@contextmanager
def changing(sessions: sessionmaker[Session], incident_id: int, on_change: Callable[[int], None]) -> Iterator[Incident]:
    """One transaction holding the incident's row lock; ``on_change`` runs after the commit.

    Every change bumps ``revision``, which is how the Slack sync knows it is behind.
    """
    with sessions() as session, session.begin():
        incident = load(session, incident_id, lock=True)
        yield incident
        incident.revision += 1
    on_change(incident_id)


def pending_deliveries(incident: Incident) -> list[Delivery]:
    return [d for d in incident.deliveries if d.sent_at is None and d.skipped is None]
