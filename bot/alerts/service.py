"""Alerts from monitoring: a storm of them is one incident, deduplicated, paged once after a grace period.

A firing alert joins the open incident of its group (an Alertmanager notification's ``groupKey``,
a generic alert's ``group``), else the open incident that an alert of its service opened less than
``alerts.group_window`` ago; otherwise it opens an incident of its own, which pages after
``alerts.page_delay``. Each alert keeps its own row, its firing and resolution go to the timeline
(quietly: the summary shows the count, "37 alerts firing, 12 resolved"), and joining never pages
again. When every alert of an incident has resolved before anyone was paged, the incident closes
as transient; resolved later, the Incident Commander is offered *Resolve* once, when the last one does.

One notification is one transaction: all of it is recorded, or none. Its group's and services'
rows in ``alert_groups`` are locked first (in a fixed order), so two deliveries of one storm can
never open two incidents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.core.db import insert_for
from bot.core.durations import format_duration
from bot.core.store import changing, load
from bot.incidents.service import Declaration, IncidentService
from bot.jobs import timers
from bot.maintenance.service import MaintenanceService
from models import Alert, AlertGroup, Incident
from models.incident import TITLE_LENGTH

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
    group: str | None = None  # the notification's group (Alertmanager's groupKey, a generic alert's group)
    started_at: datetime | None = None  # when monitoring says it began
    late: bool = False  # a heartbeat's silence: already late, so paged without alerts.page_delay
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    dedup_key: str
    action: str  # declared | joined | attached | resolved_transient | resolved | ignored | held (maintenance)
    incident: str | None = None


class AlertService:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock,
                 incidents: IncidentService, maintenance: MaintenanceService | None = None) -> None:
        """``maintenance`` holds the alerts of a service in a maintenance window: recorded there, no incident."""
        self._sessions = sessions
        self._config = config
        self._clock = clock
        self._incidents = incidents
        self._maintenance = maintenance

    def receive(self, events: list[AlertEvent]) -> list[Outcome]:
        """Record one notification's alerts, all or nothing; a delivery of the same alerts at the same
        time waits on their rows and never doubles them."""
        for _ in range(3):
            try:
                with self._sessions() as session, session.begin():
                    return self.receive_in(session, events)
            except IntegrityError:
                continue  # a concurrent delivery of the same alerts committed meanwhile: read them again
        raise RuntimeError(f"a notification of {len(events)} alerts kept colliding")

    def receive_in(self, session: Session, events: list[AlertEvent]) -> list[Outcome]:
        """``receive`` inside the caller's transaction (a heartbeat's row is locked first)."""
        return _Notification(self, session).receive(events)

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

    def severity(self, label: str | None) -> str | None:
        """The severity whose name or label matches the alert's ``severity`` label, else the default."""
        return self._config.severity_named(label) if label else None

    def service(self, name: str | None) -> str | None:
        return self._config.service_named(name) if name else None


class _Notification:
    """One notification's unit of work: its incidents loaded once each, its group rows locked."""

    def __init__(self, alerts: AlertService, session: Session) -> None:
        self.alerts = alerts
        self.session = session
        self.now = alerts._clock.now()
        self.incidents: dict[int, Incident] = {}
        self.groups: dict[str, AlertGroup] = {}  # kept here: the session holds what it loaded only weakly

    def receive(self, events: list[AlertEvent]) -> list[Outcome]:
        self._lock(sorted({key for event in events for key in self._keys(event)}))
        self.known = self._known(events)
        with self.session.no_autoflush:  # one flush for the whole notification, at the commit
            return [self._one(event) for event in events]

    def _known(self, events: list[AlertEvent]) -> dict[tuple[str, str], Alert]:
        """The notification's alerts already recorded, read and locked in one query."""
        found: dict[tuple[str, str], Alert] = {}
        for source in {event.source for event in events}:
            keys = [event.dedup_key for event in events if event.source == source]
            for alert in self.session.scalars(select(Alert).where(Alert.source == source, Alert.dedup_key.in_(keys))
                                              .order_by(Alert.id).with_for_update()):
                found[(alert.source, alert.dedup_key)] = alert
        return found

    # -- groups -------------------------------------------------------------------------------

    def _keys(self, event: AlertEvent) -> list[str]:
        keys = [f"group:{event.group}"] if event.group else []
        service = self.alerts.service(event.service)
        return keys + ([f"service:{service}"] if service else [])

    def _lock(self, keys: list[str]) -> None:
        if not keys:
            return
        insert = insert_for(self.session)
        self.session.execute(insert(AlertGroup).values([{"key": key} for key in keys]).on_conflict_do_nothing())
        self.groups = {group.key: group for group in self.session.scalars(
            select(AlertGroup).where(AlertGroup.key.in_(keys)).order_by(AlertGroup.key).with_for_update())}

    def _joinable(self, event: AlertEvent) -> Incident | None:
        """The open incident this alert's group, or (while young) its service, already has."""
        window = self.alerts._config.alerts.group_window
        for key in self._keys(event):
            group = self.groups[key]
            if group.incident_id is None:
                continue
            if key.startswith("service:") and (group.opened_at is None or group.opened_at < self.now - window):
                continue
            incident = self._incident(group.incident_id)
            if incident.is_open:
                return incident
        return None

    def _claim_groups(self, event: AlertEvent, incident: Incident, newest: bool) -> None:
        """The alert's groups now lead to this incident: all of them when it is the ``newest`` (it was
        just opened), else those with no open incident (a service's window counts from the opening)."""
        for key in self._keys(event):
            group = self.groups[key]
            if newest or group.incident_id is None or not self._incident(group.incident_id).is_open:
                group.incident_id, group.opened_at = incident.id, incident.declared_at

    def _incident(self, incident_id: int) -> Incident:
        if incident_id not in self.incidents:
            self.incidents[incident_id] = load(self.session, incident_id, lock=True, timeline=False)
        return self.incidents[incident_id]

    # -- one alert --------------------------------------------------------------------------------

    def _one(self, event: AlertEvent) -> Outcome:
        alert = self.known.get((event.source, event.dedup_key))
        incident = self._incident(alert.incident_id) if alert is not None and alert.incident_id else None
        open_incident = incident if incident is not None and incident.is_open else None
        if not event.firing:
            if alert is None or not alert.firing or open_incident is None:
                if alert is not None and alert.firing:
                    alert.firing, alert.resolved_at = False, self.now
                if open_incident is None and self._held(event) is not None:
                    return Outcome(event.dedup_key, "held")
                return Outcome(event.dedup_key, "ignored", incident.number if incident else None)
            return self._resolved(alert, open_incident)
        if open_incident is None and self._held(event) is not None:
            return Outcome(event.dedup_key, "held")
        if alert is None:
            alert = Alert(source=event.source, dedup_key=event.dedup_key, title=event.title[:TITLE_LENGTH], fired_at=self.now,
                          last_seen_at=self.now, started_at=event.started_at, firing=False, payload=event.payload)
            self.session.add(alert)
            self.known[(event.source, event.dedup_key)] = alert  # the same alert twice in one notification
        alert.last_seen_at, alert.payload = self.now, event.payload
        if open_incident is not None:
            if not alert.firing:
                self._fired_again(alert, open_incident, event)
            return Outcome(event.dedup_key, "attached", open_incident.number)
        joined = self._joinable(event)
        if joined is not None:
            self._join(alert, joined, event)
            return Outcome(event.dedup_key, "joined", joined.number)
        declared = self._declare(alert, event)
        return Outcome(event.dedup_key, "declared", declared.number)

    def _held(self, event: AlertEvent) -> int | None:
        """The maintenance window that takes this alert instead of an incident, if one is in progress."""
        maintenance = self.alerts._maintenance
        if maintenance is None:
            return None
        return maintenance.hold(self.session, self.alerts.service(event.service), event.source, event.dedup_key,
                                event.title, event.firing)

    def _declare(self, alert: Alert, event: AlertEvent) -> Incident:
        alerts = self.alerts
        incident = alerts._incidents.declare_in(self.session, Declaration(
            title=event.title[:TITLE_LENGTH], declared_by=event.source, severity=alerts.severity(event.severity),
            service=alerts.service(event.service), description=event.description, page=True,
            page_delay=timedelta(0) if event.late else alerts._config.alerts.page_delay, urgency=event.urgency))
        self.incidents[incident.id] = incident
        self._start_firing(alert, incident)
        self._claim_groups(event, incident, newest=True)
        if incident.quiet_until is not None:
            timers.schedule(self.session, GRACE_OVER, incident.quiet_until, incident_id=incident.id,
                            key=f"grace:{incident.id}")
        return incident

    def _join(self, alert: Alert, incident: Incident, event: AlertEvent) -> None:
        self._start_firing(alert, incident)
        self._claim_groups(event, incident, newest=False)
        incident.log(self.now, event.source, "alert_fired",
                     f"Another alert joined {incident.number}: {event.title} ({_count(incident)})",
                     {"alert": event.dedup_key}, announce=False)
        self._raise_for(incident, event)

    def _fired_again(self, alert: Alert, incident: Incident, event: AlertEvent) -> None:
        quiet = incident.alerts_firing == 0
        self._start_firing(alert, incident, again=True)
        incident.log(self.now, event.source, "alert_fired", f"The alert fired again: {event.title} ({_count(incident)})",
                     {"alert": event.dedup_key}, announce=quiet)
        self._raise_for(incident, event)

    def _raise_for(self, incident: Incident, event: AlertEvent) -> None:
        """An incident is as severe as its most severe alert."""
        self.alerts._incidents.raise_for_alert(incident, self.alerts.severity(event.severity), event.source,
                                               event.title[:TITLE_LENGTH])

    def _start_firing(self, alert: Alert, incident: Incident, again: bool = False) -> None:
        alert.incident_id, alert.firing, alert.fired_at, alert.resolved_at = incident.id, True, self.now, None
        incident.alerts_firing += 1
        if again:
            incident.alerts_resolved -= 1

    def _resolved(self, alert: Alert, incident: Incident) -> Outcome:
        lasted = format_duration(self.now - alert.fired_at)
        alert.firing, alert.resolved_at = False, self.now
        incident.alerts_firing -= 1
        incident.alerts_resolved += 1
        if incident.alerts_firing > 0:
            incident.log(self.now, alert.source, "alert_cleared",
                         f"An alert resolved after {lasted}: {alert.title} ({_count(incident)})",
                         {"alert": alert.dedup_key}, announce=False)
            return Outcome(alert.dedup_key, "resolved", incident.number)
        every = "The alert" if incident.alerts_resolved == 1 else f"All {incident.alerts_resolved} alerts"
        nobody_paged = not any(n.sent_at for page in incident.pages for n in page.notifications)
        if nobody_paged:
            self.alerts._incidents.close(incident, alert.source, transient=(
                f"{every} resolved {'itself' if incident.alerts_resolved == 1 else 'themselves'} within the grace "
                f"period: {incident.number} is closed as transient and nobody was paged"))
            return Outcome(alert.dedup_key, "resolved_transient", incident.number)
        when = f"after {lasted}" if incident.alerts_resolved == 1 else f"(the last after {lasted})"
        incident.log(self.now, alert.source, "alert_resolved",
                     f"{every} resolved {when}. If the incident is over, the Incident Commander can resolve it",
                     {"alert": alert.dedup_key})
        return Outcome(alert.dedup_key, "resolved", incident.number)


def _count(incident: Incident) -> str:
    return f"{incident.alerts_firing} firing, {incident.alerts_resolved} resolved"
