"""What the console's pages show: the incident list with its filters, one incident whole, on-call.

Every answer is made of plain frozen dataclasses read inside one session, so templates never
touch the ORM (no lazy load after the session closed, nothing to write by accident).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.config import IncidentConfig
from bot.console.oncall_board import OnCallBoard, ScheduleBoard
from bot.core.errors import IncidentNotFound
from bot.core.store import load
from bot.paging.contacts import METHOD_NAMES
from bot.status.page import PublicIncidentView, incident_view
from bot.status.public import public_of
from models import ActionItem, Incident, PageDelivery, Role, Status

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    """The list's filters; each is None when not asked for (or asked for wrongly: then ignored)."""

    status: str | None = None  # open, resolved, or one of models.Status
    severity: str | None = None
    service: str | None = None
    q: str | None = None
    page: int = 1

    @property
    def active(self) -> bool:
        return any((self.status, self.severity, self.service, self.q))


@dataclass(frozen=True)
class IncidentRow:
    id: int
    number: str
    title: str
    severity: str
    status: str
    service: str | None
    declared_at: datetime
    resolved_at: datetime | None
    commander: str | None
    acknowledged: bool
    drill: bool = False

    @property
    def is_open(self) -> bool:
        return self.status != Status.RESOLVED


@dataclass(frozen=True)
class IncidentList:
    rows: list[IncidentRow]
    total: int
    filters: Filters
    pages: int


@dataclass(frozen=True)
class RoleView:
    title: str
    user: str
    started_at: datetime
    ended_at: datetime | None
    assigned_by: str | None


@dataclass(frozen=True)
class EventView:
    at: datetime
    actor: str | None
    kind: str
    text: str


@dataclass(frozen=True)
class NotificationView:
    user: str
    level: int  # from 1
    created_at: datetime
    sent_at: datetime | None
    renotify: bool
    error: str | None


@dataclass(frozen=True)
class PageView:
    target: str  # the policy's name, or a person
    reason: str
    state: str
    level: int  # from 1
    started_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    notifications: list[NotificationView]


@dataclass(frozen=True)
class StepView:
    """A notification step besides Slack (push, SMS, call, e-mail) and what became of it."""

    user: str
    way: str
    state: str
    due_at: datetime
    sent_at: datetime | None
    attempts: int
    error: str | None


@dataclass(frozen=True)
class ActionView:
    number: int
    text: str
    owner: str
    priority: str
    due_on: date | None
    tracker_url: str | None
    done_at: datetime | None


@dataclass(frozen=True)
class IncidentDetail:
    row: IncidentRow
    severity_label: str
    description: str | None
    declared_by: str
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    mitigated_at: datetime | None
    resolution_summary: str | None
    transient: bool
    comms_lead: str | None
    runbook: str | None
    channel_id: str | None
    channel_name: str | None
    latest_update_at: datetime | None
    update_due_at: datetime | None
    roles: list[RoleView]
    timeline: list[EventView]
    updates: list[EventView]  # stakeholder updates, oldest first
    pages: list[PageView]
    public: PublicIncidentView | None = None  # what the status page says
    sync_error: str | None = None  # why Slack is behind, if it is
    steps: list[StepView] = field(default_factory=list)  # pages by push, SMS, call, e-mail
    action_items: list[ActionView] = field(default_factory=list)


class ConsoleQueries:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, board: OnCallBoard) -> None:
        self._sessions = sessions
        self._config = config
        self._board = board

    def incidents(self, filters: Filters) -> IncidentList:
        """Open incidents first (most severe, then newest), then resolved ones, newest first."""
        query = select(Incident)
        if filters.status == "open":
            query = query.where(Incident.status != Status.RESOLVED)
        elif filters.status:
            query = query.where(Incident.status == filters.status)
        if filters.severity:
            query = query.where(Incident.severity == filters.severity)
        if filters.service:
            query = query.where(Incident.service == filters.service)
        if filters.q:
            query = query.where(func.lower(Incident.title).contains(filters.q.lower(), autoescape=True))
        ranks = {name: self._config.rank(name) for name in self._config.severity_names()}
        rank = case(ranks, value=Incident.severity, else_=self._config.unranked)
        order = (case((Incident.status == Status.RESOLVED, 1), else_=0),
                 case((Incident.status == Status.RESOLVED, 0), else_=rank),
                 Incident.declared_at.desc(), Incident.id.desc())
        with self._sessions() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery()))
            found = session.scalars(query.order_by(*order).options(selectinload(Incident.roles))
                                    .limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE))
            rows = [_row(incident) for incident in found]
        return IncidentList(rows, total, filters, max(1, -(-total // PAGE_SIZE)))

    def incident(self, incident_id: int) -> IncidentDetail:
        """One incident whole; ``IncidentNotFound`` when there is none."""
        with self._sessions() as session:
            incident = load(session, incident_id)
            public = public_of(session, incident)
            service = self._config.service(incident.service) if incident.service else None
            events = [EventView(e.at, e.actor, e.kind, e.text) for e in incident.events]
            return IncidentDetail(
                row=_row(incident), severity_label=self._config.severity_label(incident.severity),
                description=incident.description, declared_by=incident.declared_by,
                acknowledged_by=incident.acknowledged_by, acknowledged_at=incident.acknowledged_at,
                mitigated_at=incident.mitigated_at, resolution_summary=incident.resolution_summary,
                transient=incident.transient, comms_lead=incident.holder(Role.COMMS_LEAD),
                runbook=service.runbook if service else None, channel_id=incident.channel_id,
                channel_name=incident.channel_name, latest_update_at=incident.latest_update_at,
                update_due_at=incident.update_due_at,
                roles=[RoleView(Role(r.role).title, r.user_id, r.started_at, r.ended_at, r.assigned_by)
                       for r in incident.roles],
                timeline=events, updates=[e for e in events if e.kind == "update"],
                pages=[_page(page) for page in incident.pages],
                public=incident_view(public, incident.severity, incident.service, self._config) if public else None,
                sync_error=incident.sync_error,
                steps=[StepView(d.user_id, METHOD_NAMES[d.method], d.state, d.due_at, d.sent_at, d.attempts, d.error)
                       for d in session.scalars(select(PageDelivery).where(PageDelivery.incident_id == incident_id)
                                                .order_by(PageDelivery.due_at, PageDelivery.id))],
                action_items=[ActionView(a.number, a.text, a.owner, a.priority, a.due_on, a.tracker_url, a.done_at)
                              for a in session.scalars(select(ActionItem).where(ActionItem.incident_id == incident_id)
                                                       .order_by(ActionItem.number))],
            )

    def oncall(self) -> list[ScheduleBoard]:
        """Every schedule now and next, and its two weeks ahead; none when none is configured."""
        return self._board.boards()

    def services(self) -> list[str]:
        return list(self._config.services)

    def severities(self) -> list[str]:
        return self._config.severity_names()


def _row(incident: Incident) -> IncidentRow:
    return IncidentRow(incident.id, incident.number, incident.title, incident.severity, incident.status,
                       incident.service, incident.declared_at, incident.resolved_at,
                       incident.holder(Role.COMMANDER), incident.acknowledged_at is not None, incident.drill)


def _page(page) -> PageView:
    return PageView(
        target=page.policy or f"<@{page.user_id}>", reason=page.reason, state=page.state, level=page.level + 1,
        started_at=page.started_at, acknowledged_by=page.acknowledged_by, acknowledged_at=page.acknowledged_at,
        notifications=[NotificationView(n.user_id, n.level + 1, n.created_at, n.sent_at, n.renotify, n.error)
                       for n in page.notifications])


__all__ = ["ConsoleQueries", "Filters", "IncidentDetail", "IncidentList", "IncidentNotFound"]
