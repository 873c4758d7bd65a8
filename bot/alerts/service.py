"""Alerts from monitoring: one incident per alert, deduplicated, paged after a grace period.

An alert that fires opens an incident for its service and pages after ``alerts.page_delay``;
a repeat attaches to the open incident. An alert that resolves before anyone was paged closes
its incident as transient; a later resolution is written to the timeline and offered to the
Incident Commander as a resolve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.core.durations import format_duration
from bot.incidents.service import Declaration, IncidentService
from bot.incidents.store import changing, load
from bot.jobs import timers
from models import Alert, Incident, Status

GRACE_OVER = "alert.grace_over"


@dataclass(frozen=True)
class AlertEvent:
    source: str
    dedup_key: str
    firing: bool
    title: str
    severity: str | None = None
    service: str | None = None
    description: str | None = None
    urgency: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    dedup_key: str
    action: str  # declared | attached | resolved_transient | resolved | ignored
    incident: str | None = None


class AlertService:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock,
                 incidents: IncidentService) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock
        self._incidents = incidents

    def receive(self, event: AlertEvent) -> Outcome:
        """Record one alert; a concurrent delivery of the same alert waits on its row, never doubles it."""
        for _ in range(3):
            try:
                with self._sessions() as session, session.begin():
                    return self._receive(session, event)
            except IntegrityError:
                continue  # the same alert's first delivery committed meanwhile: read it again
        raise RuntimeError(f"alert {event.source}/{event.dedup_key} kept colliding")

    def _receive(self, session: Session, event: AlertEvent) -> Outcome:
        now = self._clock.now()
        alert = session.scalars(select(Alert).where(Alert.source == event.source, Alert.dedup_key == event.dedup_key)
                                .with_for_update()).first()
        incident = load(session, alert.incident_id, lock=True) if alert and alert.incident_id else None
        open_incident = incident if incident is not None and incident.status != Status.RESOLVED else None
        if not event.firing:
            if alert is None or not alert.firing:
                return Outcome(event.dedup_key, "ignored", incident.number if incident else None)
            alert.firing, alert.resolved_at, alert.last_seen_at = False, now, now
            if open_incident is None:
                return Outcome(event.dedup_key, "ignored", incident.number if incident else None)
            return self._resolved(alert, open_incident)
        if alert is None:
            alert = Alert(source=event.source, dedup_key=event.dedup_key, title=event.title[:200], fired_at=now,
                          last_seen_at=now, payload=event.payload)
            session.add(alert)
            session.flush()
        alert.last_seen_at, alert.payload = now, event.payload
        if open_incident is not None:
            if not alert.firing:
                open_incident.log(now, event.source, "alert_fired", f"The alert fired again: {event.title}")
            alert.firing = True
            return Outcome(event.dedup_key, "attached", open_incident.number)
        alert.firing, alert.fired_at, alert.resolved_at = True, now, None
        incident = self._incidents.declare_in(session, Declaration(
            title=event.title[:200], declared_by=event.source, severity=self._severity(event.severity),
            service=self._service(event.service), description=event.description, page=True,
            page_delay=self._config.alerts.page_delay, urgency=event.urgency))
        alert.incident_id = incident.id
        if incident.quiet_until is not None:
            timers.schedule(session, GRACE_OVER, incident.quiet_until, incident_id=incident.id,
                            key=f"grace:{incident.id}")
        return Outcome(event.dedup_key, "declared", incident.number)

    def fire_grace_over(self, timer) -> None:
        """The grace period is over and the incident is still open: it stops being quiet (its channel
        opens, it is announced), whether or not its page is due now (a low-urgency one waits)."""
        with changing(self._sessions, timer.incident_id) as incident:
            if not incident.is_open or incident.quiet_until is None:
                return
            incident.quiet_until = None
            incident.log(self._clock.now(), None, "alert_still_firing",
                         f"Still firing after the {format_duration(self._config.alerts.page_delay)} grace period: "
                         f"{incident.number} is opened to everyone", announce=False)

    def _resolved(self, alert: Alert, incident: Incident) -> Outcome:
        now = self._clock.now()
        lasted = format_duration(now - alert.fired_at)
        nobody_paged = not any(n.sent_at for page in incident.pages for n in page.notifications)
        if nobody_paged:
            self._incidents.close(incident, alert.source, transient=(
                f"The alert resolved itself after {lasted}, within the grace period: "
                f"{incident.number} is closed as transient and nobody was paged"))
            return Outcome(alert.dedup_key, "resolved_transient", incident.number)
        incident.log(now, alert.source, "alert_resolved",
                     f"The alert resolved after {lasted}. If the incident is over, the Incident Commander "
                     "can resolve it", {"alert": alert.id})
        return Outcome(alert.dedup_key, "resolved", incident.number)

    def _severity(self, label: str | None) -> str | None:
        """The severity whose name or label matches the alert's ``severity`` label, else the default."""
        if not label:
            return None
        wanted = label.strip().lower()
        for name in self._config.severity_names():
            if wanted in (name, self._config.severity(name).label.lower()):
                return name
        return None

    def _service(self, name: str | None) -> str | None:
        return name.lower() if name and self._config.service(name) else None
