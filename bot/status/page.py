"""The status page as plain values: what ``/status``, ``/status.json`` and the Atom feed show.

Built from public rows only (plus the severity and service of each public incident, to know
which components it affects); nothing here can carry an internal title or update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import IncidentConfig
from bot.maintenance.service import state as maintenance_state
from bot.status.public import impacts
from bot.status.states import ComponentState, PublicStatus, impact_of_rank, worst
from models import MaintenanceWindow, PublicIncident

HISTORY_DAYS = 90
PAST_DAYS = 14


@dataclass(frozen=True)
class PublicUpdateView:
    id: int
    at: datetime
    status: PublicStatus
    text: str


@dataclass(frozen=True)
class PublicIncidentView:
    id: int
    title: str
    status: PublicStatus
    impact: ComponentState  # the worst it does to any component
    components: dict[str, ComponentState]
    started_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    updates: list[PublicUpdateView]  # newest first


@dataclass(frozen=True)
class DayView:
    day: date
    state: ComponentState
    incidents: list[str]  # public titles


@dataclass(frozen=True)
class ComponentView:
    name: str
    state: ComponentState
    days: list[DayView]  # oldest first, today last


@dataclass(frozen=True)
class PastDay:
    """A day of the history: the incidents resolved that started on it, and those still active that
    did (their updates are shown once, with the active ones: a reader must not read a day with an
    outage still going on as one with no incident)."""

    day: date
    incidents: list[PublicIncidentView]  # resolved, the latest first
    ongoing: list[PublicIncidentView]  # still active, the latest first


@dataclass(frozen=True)
class MaintenanceView:
    """A maintenance window as customers read it: which components, when, and its state (Statuspage's
    scheduled, in_progress, completed). Its reason was typed for colleagues and is not shown."""

    id: int
    components: list[str]
    status: str
    scheduled_for: datetime
    scheduled_until: datetime
    created_at: datetime

    @property
    def name(self) -> str:
        return f"Scheduled maintenance of {', '.join(self.components)}"

    @property
    def label(self) -> str:
        return {"scheduled": "Scheduled", "in_progress": "In progress", "completed": "Completed"}[self.status]


@dataclass(frozen=True)
class StatusPage:
    title: str
    state: ComponentState  # the worst of every component and active incident
    components: list[ComponentView]
    active: list[PublicIncidentView]
    past: list[PastDay]  # today first
    updated_at: datetime | None  # the last change of anything shown
    generated_at: datetime
    timezone: str
    maintenances: tuple[MaintenanceView, ...] = ()  # the soonest first

    @property
    def headline(self) -> str:
        if self.state is ComponentState.OPERATIONAL:
            return "All systems operational"
        return {ComponentState.DEGRADED_PERFORMANCE: "Degraded performance", ComponentState.PARTIAL_OUTAGE:
                "Partial outage", ComponentState.MAJOR_OUTAGE: "Major outage"}[self.state]


def default_title(components: dict[str, ComponentState]) -> str:
    """What a public incident is called before anyone gave it a title."""
    return f"Investigating issues with {', '.join(components)}" if components else "Investigating an issue"


def incident_view(public: PublicIncident, severity: str, service: str | None, config: IncidentConfig) -> PublicIncidentView:
    affected = impacts(public, severity, service, config)
    status = PublicStatus(public.status)
    return PublicIncidentView(
        id=public.incident_id, title=public.title or default_title(affected), status=status,
        impact=worst(affected.values()) if affected else impact_of_rank(config.rank(severity)),
        components=affected, started_at=public.since, updated_at=public.updated_at, resolved_at=public.resolved_at,
        updates=[PublicUpdateView(u.id, u.at, PublicStatus(u.status), u.text) for u in reversed(public.updates)],
    )


def maintenance_views(windows: list[MaintenanceWindow], config: IncidentConfig, now: datetime) -> list[MaintenanceView]:
    """The windows of services that a component holds (a service no component names is not the customers')."""
    found = []
    for window in windows:
        components = [c.name for c in config.status_page.components if window.service in c.services]
        if components:
            found.append(MaintenanceView(window.id, components, maintenance_state(window, now), window.starts_at,
                                         window.ends_at, window.created_at))
    return found


def build(rows: list[tuple[PublicIncident, str, str | None]], config: IncidentConfig, now: datetime,
          windows: list[MaintenanceWindow] = ()) -> StatusPage:
    """The page at ``now`` from the public incidents still open or resolved within ``HISTORY_DAYS``,
    each with its incident's severity and service (nothing else of the incident), and the
    maintenance windows ahead, in progress or just completed."""
    tz = config.tz
    views = [incident_view(public, severity, service, config) for public, severity, service in rows]
    active = sorted((v for v in views if v.status is not PublicStatus.RESOLVED),
                    key=lambda v: (-v.impact.rank, v.started_at))
    today = now.astimezone(tz).date()
    components = []
    for component in config.status_page.components:
        state = worst(v.components[component.name] for v in active if component.name in v.components)
        components.append(ComponentView(component.name, state, _days(component.name, views, today, now, tz)))
    def started_on(day: date, incidents: list[PublicIncidentView]) -> list[PublicIncidentView]:
        return sorted((v for v in incidents if v.started_at.astimezone(tz).date() == day),
                      key=lambda v: v.started_at, reverse=True)

    resolved = [v for v in views if v.status is PublicStatus.RESOLVED]
    past = [PastDay(day, started_on(day, resolved), started_on(day, active))
            for day in (today - timedelta(days=n) for n in range(PAST_DAYS))]
    return StatusPage(
        title=config.status_page.title,
        state=worst([c.state for c in components] + [v.impact for v in active]),
        components=components, active=active, past=past,
        updated_at=max((v.updated_at for v in views), default=None), generated_at=now, timezone=config.timezone,
        maintenances=tuple(maintenance_views(list(windows), config, now)),
    )


def _days(component: str, views: list[PublicIncidentView], today: date, now: datetime, tz: ZoneInfo) -> list[DayView]:
    """One bar a day: each day's worst impact on ``component`` among the incidents active that day."""
    worst_on: dict[date, ComponentState] = {}
    titles: dict[date, list[str]] = {}
    first = today - timedelta(days=HISTORY_DAYS - 1)
    for view in views:
        state = view.components.get(component)
        if state is None:
            continue
        start = max(view.started_at.astimezone(tz).date(), first)
        end = (view.resolved_at or now).astimezone(tz).date()
        day = start
        while day <= end:
            worst_on[day] = worst([worst_on.get(day, ComponentState.OPERATIONAL), state])
            titles.setdefault(day, []).append(view.title)
            day += timedelta(days=1)
    return [DayView(day, worst_on.get(day, ComponentState.OPERATIONAL), titles.get(day, []))
            for day in (first + timedelta(days=n) for n in range(HISTORY_DAYS))]
