"""The post-incident review: when it is due, the reminders that get it held, and marking it held.

A resolution drafts the report and sets when the review is due: the severity's business days
(``reviews`` in the configuration) counted from the resolution's day. Two reminders go to the
commander by DM: the next business morning (write the report, file the action items) and, for a
severity that requires a review, the morning it is due if the report still lacks its root cause or
action items. Both are timer rows, cancelled when the report is complete, the review held or the
incident reopened; each handler checks again under the incident's lock and sends at most one DM
per resolution, however many workers run it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session, sessionmaker

from bot.config import BusinessHoursConfig, IncidentConfig
from bot.core.business_hours import next_opening
from bot.core.calendar import local_day, local_time, midnight
from bot.core.clock import Clock
from bot.core.errors import InvalidTransition
from bot.core.store import changing
from bot.jobs import timers
from models import ActionItem, Delivery, Incident, Report, Role, Status

REPORT_REMINDER = "report_reminder"
"""The next business morning after resolution: write the report and file its action items."""
REVIEW_DUE = "review_due"
"""The morning the review is due, if the report is still incomplete."""
KINDS = (REPORT_REMINDER, REVIEW_DUE)


def add_business_days(hours: BusinessHoursConfig, day: date, count: int) -> date:
    """The ``count``-th business day after ``day`` (business days are ``hours.days``)."""
    found = 0
    while found < count:
        day += timedelta(days=1)
        found += day.weekday() in hours.days
    return day


def opening(config: IncidentConfig, day: date) -> datetime:
    """The start of business hours on ``day``, in UTC."""
    return local_time(day, config.business_hours.start, config.tz)


def report_for(session: Session, incident: Incident) -> Report:
    """The incident's report row, added in the caller's transaction the first time it is wanted."""
    report = session.scalar(select(Report).where(Report.incident_id == incident.id))
    if report is None:
        report = Report(incident_id=incident.id)
        session.add(report)
    return report


def is_complete(report: Report | None, actions: Sequence[ActionItem]) -> bool:
    """A report that needs no reminder: its root cause is written and it has action items."""
    return bool(report and (report.root_cause or "").strip() and actions)


class ReviewService:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock

    # -- inside the incident service's transactions ------------------------------------------

    def on_resolved(self, session: Session, incident: Incident, quietly: bool = False) -> None:
        """Draft the report, set when its review is due, and schedule the two reminders. ``quietly``
        (a transient alert nobody heard of) has no report to ask for."""
        self._cancel(session, incident)
        if quietly:
            return
        now = self._clock.now()
        hours, tz = self._config.business_hours, self._config.tz
        report = report_for(session, incident)
        report.requested_at = now
        days = self._config.review_days(incident.severity)
        resolved_on = local_day(now, tz)
        report.review_due_at = opening(self._config, add_business_days(hours, resolved_on, days)) if days else None
        stamp = int(now.timestamp())
        tomorrow = midnight(resolved_on + timedelta(days=1), tz)
        timers.schedule(session, REPORT_REMINDER, next_opening(hours, tz, tomorrow), incident_id=incident.id,
                        key=f"report:{incident.id}:{stamp}")
        if report.review_due_at is not None:
            timers.schedule(session, REVIEW_DUE, report.review_due_at, incident_id=incident.id,
                            key=f"review:{incident.id}:{stamp}")

    def on_reopened(self, session: Session, incident: Incident) -> None:
        """Reopened: the review waits for the next resolution, which sets it again."""
        self._cancel(session, incident)
        report = session.scalar(select(Report).where(Report.incident_id == incident.id))
        if report is not None:
            report.review_due_at = None

    def on_report_changed(self, session: Session, incident: Incident) -> None:
        """A complete report needs no reminder."""
        report, actions = report_rows(session, incident.id)
        if is_complete(report, actions):
            self._cancel(session, incident)

    # -- what people do ------------------------------------------------------------------------

    def held(self, incident_id: int, actor: str) -> Incident:
        """``/incident review done``: the review took place; the report moves from draft to reviewed."""
        with changing(self._sessions, incident_id) as incident:
            if incident.is_open:
                raise InvalidTransition(f"{incident.number} is still open: its review comes after it is resolved.",
                                        command="review")
            session = object_session(incident)
            report = report_for(session, incident)
            if report.reviewed_at is not None:
                raise InvalidTransition(f"The review of {incident.number} was already marked held "
                                        f"{_day(report.reviewed_at, self._config)} by <@{report.reviewed_by}>.")
            now = self._clock.now()
            report.reviewed_at, report.reviewed_by = now, actor
            incident.log(now, actor, "review_held", f"<@{actor}> marked the post-incident review of {incident.number} held")
            self._cancel(session, incident)
        return incident

    # -- timer handlers ------------------------------------------------------------------------

    def fire_report_reminder(self, timer) -> None:
        self._remind(timer, REPORT_REMINDER)

    def fire_review_due(self, timer) -> None:
        self._remind(timer, REVIEW_DUE)

    def _remind(self, timer, kind: str) -> None:
        """One DM to the commander per resolution, unless the report no longer needs it."""
        with changing(self._sessions, timer.incident_id) as incident:
            session = object_session(incident)
            if incident.status != Status.RESOLVED or incident.transient:
                return
            report, actions = report_rows(session, incident.id)
            if is_complete(report, actions) or (report is not None and report.reviewed_at is not None):
                return
            sent = session.scalar(select(Delivery.id).where(
                Delivery.incident_id == incident.id, Delivery.kind == kind, Delivery.created_at >= incident.resolved_at))
            if sent is not None:
                return  # an earlier run of this reminder got as far as its DM
            lead = incident.holder(Role.COMMANDER) or incident.declared_by
            session.add(Delivery(incident_id=incident.id, user_id=lead, kind=kind, created_at=self._clock.now()))

    def _cancel(self, session: Session, incident: Incident) -> None:
        timers.cancel(session, incident_id=incident.id, kinds=KINDS, now=self._clock.now())


def report_rows(session: Session, incident_id: int) -> tuple[Report | None, list[ActionItem]]:
    """The incident's report row (if any) and its action items, in order."""
    report = session.scalar(select(Report).where(Report.incident_id == incident_id))
    actions = list(session.scalars(select(ActionItem).where(ActionItem.incident_id == incident_id)
                                   .order_by(ActionItem.number)))
    return report, actions


def _day(moment: datetime, config: IncidentConfig) -> str:
    return f"{moment.astimezone(config.tz):%a %d %b %Y}"
