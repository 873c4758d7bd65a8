"""The PagerDuty bridge, for teams that keep PagerDuty for phones: each paged incident is a PagerDuty
alert (Events API v2, the incident as ``dedup_key``), acknowledged and resolved with it; an
acknowledgement made in PagerDuty (webhooks v3) acknowledges here, as "PagerDuty: <name>", taking no role.

Every event is a ``pagerduty.event`` timer written in the transaction of the change it reports, so it
is sent once and retried while PagerDuty fails; an acknowledgement or resolution waits for the
incident's trigger to have gone first, so PagerDuty never sees them out of order.
"""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.core.errors import PageNotDelivered
from bot.jobs import timers
from bot.jobs.timers import TryAgain
from models import Incident
from models.incident import incident_id, incident_number
from models.timer import PENDING, Timer

log = logging.getLogger(__name__)

PAGERDUTY_EVENT = "pagerduty.event"
_SEVERITY = ("critical", "error", "warning", "info")  # PagerDuty's, most severe first


class PagerDutyEvents(Protocol):
    def send(self, routing_key: str, action: str, dedup_key: str, payload: dict | None) -> None:
        """Raises ``PageNotDelivered`` (permanent when PagerDuty refuses the event itself)."""
        ...


def dedup_key(incident: int) -> str:
    return incident_number(incident)


def incident_of(key: str) -> int | None:
    """The incident a PagerDuty dedup key names (``INC-12``); None for another tool's key."""
    return incident_id(key, bare=False)


class PagerDutyBridge:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock,
                 events: PagerDutyEvents | None, routing_key: str | None) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock
        self._events = events
        self._routing_key = routing_key

    def _key_for(self, incident: Incident) -> str | None:
        """The routing key of the incident's PagerDuty service; none for a drill, which pages only the
        people it names (PagerDuty's escalation would page whoever is on call there)."""
        if incident.drill:
            return None
        service = self._config.service(incident.service) if incident.service else None
        return (service.pagerduty_routing_key if service else None) or self._routing_key

    def _schedule(self, session: Session, incident: Incident, action: str) -> None:
        routing_key = self._key_for(incident)
        if self._events is None or routing_key is None:
            return
        timers.schedule(session, PAGERDUTY_EVENT, self._clock.now(), incident_id=incident.id,
                        payload={"action": action, "incident": incident.id},
                        key=f"pagerduty:{incident.id}:{action}")

    def paged(self, session: Session, incident: Incident) -> None:
        self._schedule(session, incident, "trigger")

    def acknowledged(self, session: Session, incident: Incident) -> None:
        self._schedule(session, incident, "acknowledge")

    def ended(self, session: Session, incident: Incident) -> None:
        if incident.pages:
            self._schedule(session, incident, "resolve")

    def fire(self, timer) -> None:
        action, incident_id = timer.payload["action"], timer.payload["incident"]
        with self._sessions() as session:
            incident = session.get(Incident, incident_id)
            if incident is None:
                return
            if action != "trigger" and session.scalar(select(Timer.id).where(
                    Timer.incident_id == incident_id, Timer.kind == PAGERDUTY_EVENT, PENDING,
                    Timer.id != timer.id, Timer.key == f"pagerduty:{incident_id}:trigger")) is not None:
                raise TryAgain(f"PagerDuty {action} of {incident.number} waits for its trigger")
            routing_key = self._key_for(incident)
            payload = None
            if action == "trigger":
                rank = min(self._config.rank(incident.severity), len(_SEVERITY) - 1)
                payload = {"summary": incident.line()[:1024],
                           "source": "incident-bot", "severity": _SEVERITY[rank],
                           "component": incident.service or None}
        try:
            self._events.send(routing_key, action, dedup_key(incident_id), payload)
        except PageNotDelivered as exc:
            if exc.permanent:
                log.error("PagerDuty refused the %s of INC-%s: %s", action, incident_id, exc.reason)
                return
            raise TryAgain(f"PagerDuty {action} of INC-{incident_id}: {exc.reason}") from exc

    @staticmethod
    def actor(name: str) -> str:
        """How an acknowledgement made in PagerDuty is recorded (the column holds 32 characters)."""
        return f"PagerDuty: {name}"[:32]
