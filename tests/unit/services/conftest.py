"""The domain services built directly on the test database (SQLite, or PostgreSQL with
TEST_DATABASE_URL), without HTTP or Slack: their rules, one at a time."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts.service import AlertService
from bot.comms.updates import UpdateService
from bot.config import IncidentConfig
from bot.core.clock import ManualClock
from bot.core.errors import UserError
from bot.incidents.service import Declaration, IncidentService
from bot.status.service import StatusService
from models import Incident, Timer

ALICE, BOB, CAROL = "U01ALICE", "U02BOB", "U03CAROL"
CONFIG = {
    "services": {"checkout": {}, "search": {}},
    "status_page": {"components": [{"name": "Checkout"}, {"name": "Search"}]},
}


@dataclass
class Domain:
    sessions: sessionmaker[Session]
    clock: ManualClock
    config: IncidentConfig
    incidents: IncidentService
    updates: UpdateService
    alerts: AlertService
    status: StatusService

    def declare(self, title: str = "Checkout is down", severity: str | None = "sev2", by: str = ALICE,
                **more) -> Incident:
        return self.incidents.declare(Declaration(title=title, severity=severity, declared_by=by, **more))

    def timers(self, incident_id: int, kind: str) -> list[Timer]:
        """The incident's pending timers of ``kind``, soonest first."""
        with self.sessions() as session:
            return list(session.scalars(select(Timer).where(
                Timer.incident_id == incident_id, Timer.kind == kind, Timer.done_at.is_(None),
                Timer.cancelled_at.is_(None)).order_by(Timer.due_at)))


@pytest.fixture
def domain(engine) -> Domain:
    sessions = sessionmaker(engine, expire_on_commit=False)
    clock = ManualClock()
    config = IncidentConfig.model_validate(CONFIG)
    updates = UpdateService(sessions, config, clock)
    incidents = IncidentService(sessions, config, clock, updates=updates)
    return Domain(sessions, clock, config, incidents, updates, AlertService(sessions, config, clock, incidents),
                  StatusService(sessions, config, clock))


def refused(work, *, field: str | None = None) -> str:
    """The plain message of the ``UserError`` ``work()`` raises (and that it names ``field``)."""
    with pytest.raises(UserError) as error:
        work()
    assert error.value.field == field
    return error.value.message
