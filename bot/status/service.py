"""The status service: public updates as units of work, and the status page as plain values.

Posting holds the incident's row lock (``bot.core.store.changing``), like every change of
an incident. Reading builds the page from public rows only (``bot.status.page``); ``version``
is a cheap fingerprint of everything the page shows, so a cache can tell it is out of date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, object_session, selectinload, sessionmaker

from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.core.store import changing, load
from bot.status import page, public
from bot.status.states import ComponentState, PublicStatus, public_status_of
from models import Incident, PublicIncident


@dataclass(frozen=True)
class PublicDraft:
    """What the public update form starts from: the incident's public title, state and component states."""

    incident_id: int
    number: str
    title: str | None
    status: PublicStatus
    components: dict[str, ComponentState]  # every configured component; operational = not affected


class StatusService:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock
        self._watchers: list[Callable[[], None]] = []

    # -- who follows the page ------------------------------------------------------------

    def watch(self, callback: Callable[[], None]) -> None:
        """``callback()`` after every committed change of an incident (a cache of the page then checks it)."""
        self._watchers.append(callback)

    def changed(self, incident_id: int) -> None:
        for callback in self._watchers:
            callback()

    @property
    def timezone(self) -> ZoneInfo:
        return self._config.tz

    # -- changing ----------------------------------------------------------------------

    def post(self, incident_id: int, actor: str, text: str, *, title: str | None = None, status: str | None = None,
             affected: dict[str, str] | None = None) -> Incident:
        """``/incident public <text>`` and the public update form."""
        with changing(self._sessions, incident_id) as incident:
            public.post(object_session(incident), incident, actor, text, self._clock.now(), self._config,
                        title=title, status=status, affected=affected)
        return incident

    # -- reading -----------------------------------------------------------------------

    def check_speaker(self, incident_id: int, actor: str) -> None:
        """A ``UserError`` unless ``actor`` may write what customers read (asked before opening the form)."""
        with self._sessions() as session:
            public.may_speak(load(session, incident_id), actor)

    def has_title(self, incident_id: int) -> bool:
        """Whether the incident has a public title already (else the form asks for one)."""
        with self._sessions() as session:
            return session.scalar(select(PublicIncident.title).where(PublicIncident.incident_id == incident_id)) is not None

    def draft(self, incident_id: int) -> PublicDraft:
        with self._sessions() as session:
            incident = load(session, incident_id)
            row = public.public_of(session, incident)
            affected = (public.impacts(row, incident.severity, incident.service, self._config) if row
                        else public.default_impacts(incident.severity, incident.service, self._config))
            status = public_status_of(incident.status)
        states = {c.name: affected.get(c.name, ComponentState.OPERATIONAL) for c in self._config.status_page.components}
        return PublicDraft(incident_id, incident.number, row.title if row else None, status, states)

    def version(self) -> tuple[int, int]:
        """Changes whenever anything the page shows may have: a public incident added, or any change
        of one (every change of an incident moves its revision)."""
        with self._sessions() as session:
            count, revisions = session.execute(
                select(func.count(), func.coalesce(func.sum(Incident.revision), 0))
                .select_from(PublicIncident).join(Incident, Incident.id == PublicIncident.incident_id)).one()
        return int(count), int(revisions)

    def page(self) -> page.StatusPage:
        now = self._clock.now()
        oldest = now - timedelta(days=page.HISTORY_DAYS + 1)
        with self._sessions() as session:
            rows = session.execute(
                select(PublicIncident, Incident.severity, Incident.service)
                .join(Incident, Incident.id == PublicIncident.incident_id)
                .where(or_(PublicIncident.resolved_at.is_(None), PublicIncident.resolved_at >= oldest))
                .options(selectinload(PublicIncident.updates), selectinload(PublicIncident.impacts))
                .order_by(PublicIncident.since)).tuples().all()
            return page.build(list(rows), self._config, now)
