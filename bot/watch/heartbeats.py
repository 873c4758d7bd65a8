"""Heartbeats: jobs that must check in. Silence past ``every + grace`` fires ``heartbeat:<name>``.

A check-in is one row's update (the last check-in and a count) and its deadline's timer row moved
forward, in one short transaction: however often jobs check in, neither table grows. The deadline
is a ``heartbeat.late`` timer keyed by the heartbeat, so every worker sees the same one, a restart
keeps it, and two workers never fire it twice (the timers' claims). A check-in that races a worker
firing the deadline takes the timer back from that worker (its claim is cleared), so the worker can
neither mark the re-armed deadline done nor fire an alert the check-in made needless: both lock
the heartbeat's row, and whoever comes second sees what the first did.

The alert goes through the alert service like a webhook's (its service's escalation, grouping),
without ``alerts.page_delay``: when it fires it is already late. The next check-in resolves it.
A heartbeat waits for its first check-in before it can be late (a job set up but not yet run is
not down). One removed from the file while late is resolved when a worker next starts, and said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts.service import AlertEvent, AlertService
from bot.config import IncidentConfig
from bot.config.schema import WATCHDOG, HeartbeatConfig
from bot.core.clock import Clock
from bot.core.db import insert_for
from bot.core.durations import format_duration
from bot.core.store import load
from bot.jobs import timers
from models import Alert, Heartbeat, Timer
from models.timer import PENDING

LATE = "heartbeat.late"
SOURCE = "heartbeat"


def alert_name(name: str) -> str:
    return f"heartbeat:{name}"


def _key(name: str) -> str:
    return f"heartbeat:{name}"


@dataclass(frozen=True)
class HeartbeatState:
    """One heartbeat as ``/heartbeats`` and ``/incident heartbeats`` show it."""

    name: str
    every: str
    grace: str
    service: str | None
    last_checkin_at: datetime | None
    checkins: int
    state: str  # waiting (no check-in yet) | ok | late
    due_at: datetime | None  # when it is late without a check-in (None while waiting or late)
    late_since: datetime | None


class HeartbeatService:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock,
                 alerts: AlertService) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock
        self._alerts = alerts

    def known(self, name: str) -> bool:
        return self._config.heartbeat(name) is not None

    def check_in(self, name: str) -> bool:
        """Record a check-in of ``name`` and move its deadline; False if no heartbeat has that name
        (nothing is written). A late heartbeat's alert resolves."""
        beat = self._config.heartbeat(name)
        if beat is None:
            return False
        now = self._clock.now()
        with self._sessions() as session, session.begin():
            insert = insert_for(session)
            late = session.scalar(
                insert(Heartbeat).values(name=name, last_checkin_at=now, checkins=1, late=False)
                .on_conflict_do_update(index_elements=[Heartbeat.name],
                                       set_={"last_checkin_at": now, "checkins": Heartbeat.checkins + 1})
                .returning(Heartbeat.late))
            _arm(session, name, now + beat.deadline)
            if late:
                session.execute(update(Heartbeat).where(Heartbeat.name == name).values(late=False, late_since=None))
                self._alerts.receive_in(session, [self._event(name, beat, firing=False)])
        return True

    def fire_late(self, timer: Timer) -> None:
        """The deadline passed: unless a check-in came meanwhile, the heartbeat's alert fires."""
        name = timer.payload["name"]
        beat = self._config.heartbeat(name)
        now = self._clock.now()
        with self._sessions() as session, session.begin():
            row = session.get(Heartbeat, name, with_for_update=True)
            if beat is None or row is None or row.late or now < row.last_checkin_at + beat.deadline:
                return  # removed from the file (settled at start), or a check-in re-armed the deadline
            row.late, row.late_since = True, now
            self._alerts.receive_in(session, [self._event(name, beat, firing=True, last=row.last_checkin_at)])

    def arm(self) -> None:
        """At a worker's start: every deadline as the file now says it (``every`` may have changed), and
        a heartbeat removed from the file forgotten, its alert resolved if it was late, and that said."""
        with self._sessions() as session, session.begin():
            for row in session.scalars(select(Heartbeat).order_by(Heartbeat.name).with_for_update()):
                beat = self._config.heartbeat(row.name)
                if beat is not None:
                    if not row.late:
                        _arm(session, row.name, row.last_checkin_at + beat.deadline)
                    continue
                session.execute(update(Timer).where(Timer.key == _key(row.name), PENDING)
                                .values(cancelled_at=self._clock.now()))
                if row.late:
                    self._removed_while_late(session, row.name)
                session.delete(row)

    def states(self) -> list[HeartbeatState]:
        """Every configured heartbeat, in the file's order, with its last check-in and state."""
        names = self._config.heartbeat_names()
        with self._sessions() as session:
            rows = {row.name: row for row in session.scalars(select(Heartbeat).where(Heartbeat.name.in_(names)))}
        found = []
        for name in names:
            beat, row = self._config.heartbeat(name), rows.get(name)
            state = "waiting" if row is None else "late" if row.late else "ok"
            found.append(HeartbeatState(
                name=name, every=format_duration(beat.every), grace=format_duration(beat.grace), service=beat.service,
                last_checkin_at=row.last_checkin_at if row else None, checkins=row.checkins if row else 0,
                state=state, due_at=row.last_checkin_at + beat.deadline if state == "ok" else None,
                late_since=row.late_since if row else None))
        return found

    def _removed_while_late(self, session: Session, name: str) -> None:
        alert = session.scalar(select(Alert).where(Alert.source == SOURCE, Alert.dedup_key == name))
        incident_id = alert.incident_id if alert is not None and alert.firing else None
        self._alerts.receive_in(session, [AlertEvent(source=SOURCE, dedup_key=name, firing=False,
                                                     title=alert_name(name), late=True)])
        if incident_id is not None:
            incident = load(session, incident_id, lock=True, timeline=False)
            incident.log(self._clock.now(), None, "heartbeat_removed",
                         f"The heartbeat {name} was removed from the configuration while it was late: "
                         f"its alert {alert_name(name)} is resolved")

    def _event(self, name: str, beat: HeartbeatConfig, firing: bool, last: datetime | None = None) -> AlertEvent:
        silent = f"no check-in for {format_duration(self._clock.now() - last)}" if last else "checked in again"
        what = "the monitoring has gone silent" if name == WATCHDOG else silent
        expected = f"expected every {format_duration(beat.every)}" + (
            f", {format_duration(beat.grace)} grace" if beat.grace else "")
        return AlertEvent(source=SOURCE, dedup_key=name, firing=firing, title=f"{alert_name(name)}: {what}",
                          severity=beat.severity, service=beat.service, late=True,
                          description=f"{silent} ({expected})" if firing else None)


def _arm(session: Session, name: str, due: datetime) -> None:
    """Move the heartbeat's pending deadline to ``due``, taking it back from a worker running it now;
    or schedule it, the first time and after it fired."""
    moved = session.execute(update(Timer).where(Timer.key == _key(name), PENDING)
                            .values(due_at=due, claimed_by=None, claimed_until=None, attempts=0)).rowcount
    if not moved:
        timers.schedule(session, LATE, due, payload={"name": name}, key=_key(name))
