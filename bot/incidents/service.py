"""The incident service: every rule about declaring and moving an incident, and its timeline.

Each public method is one unit of work: it locks the incident row, changes it, writes a
timeline event saying who did what, and commits; the store's hook then tells the Slack side
(``bot.core.store``). It never talks to Slack itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session, selectinload, sessionmaker

from bot.comms.roles import comms_lead_wanted
from bot.comms.updates import UpdateService
from bot.config import IncidentConfig
from bot.core import store
from bot.core.clock import Clock
from bot.core.durations import format_duration
from bot.core.errors import InvalidTransition, NotAnIncidentChannel, UserError, code
from bot.core.people import is_user, mention
from bot.core.store import changing, load
from bot.jobs import timers
from bot.paging.service import PagingService
from bot.status import public
from models import Incident, Role, RoleAssignment, Status
from models.incident import TITLE_LENGTH

if TYPE_CHECKING:
    from bot.reports.review import ReviewService

REPLY_URL_LASTS = timedelta(minutes=25)
"""Slack keeps a button's response URL for 30 minutes; the summary is replaced through it within 25."""


@dataclass(frozen=True)
class PinnedMessage:
    """A message someone marked with :pushpin:, as Slack handed it over (or why it would not: ``unread``)."""

    channel: str
    ts: str
    posted_at: datetime
    author: str | None = None
    text: str | None = None
    permalink: str | None = None
    unread: str | None = None


@dataclass(frozen=True)
class Declaration:
    title: str
    declared_by: str
    severity: str | None = None
    service: str | None = None
    description: str | None = None
    commander: str | None = None
    page: bool | None = None  # None: the severity decides
    page_delay: timedelta = timedelta(0)
    urgency: str | None = None  # None: the severity's
    reply_to: str | None = None  # where to answer the declarer later (Slack's response URL)
    public: bool = False  # declared with public impact: on the status page at once
    drill: bool = False  # a rehearsal: marked DRILL everywhere, paging only ``people``, never public, not counted
    people: tuple[str, ...] = ()  # whom a drill pages (nobody named: the declarer)


class IncidentService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        config: IncidentConfig,
        clock: Clock,
        paging: PagingService | None = None,
        updates: UpdateService | None = None,
        reviews: ReviewService | None = None,
    ) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock
        self._paging = paging
        self._updates = updates
        self._reviews = reviews

    # -- reading -----------------------------------------------------------------------

    def get(self, incident_id: int) -> Incident:
        with self._sessions() as session:
            return load(session, incident_id)

    def in_channel(self, channel_id: str, command: str) -> Incident:
        """The incident whose channel this is, or a message saying where ``command`` works."""
        incident = self.of_channel(channel_id)
        if incident is None:
            raise NotAnIncidentChannel(
                f"{code(f'/incident {command}')} works only in an incident's channel, and this is not one. "
                f"Run it in the incident's channel ({code('/incident list')} shows them)."
            )
        return incident

    def of_channel(self, channel_id: str) -> Incident | None:
        """The incident whose channel this is, if it is one (most channels are not)."""
        with self._sessions() as session:  # the handler needs the id and number; the change reloads it locked
            return session.scalars(select(Incident).where(Incident.channel_id == channel_id)).first()

    def list_open(self) -> list[Incident]:
        with self._sessions() as session:
            query = select(Incident).where(Incident.status != Status.RESOLVED).options(selectinload(Incident.roles))
            incidents = list(session.scalars(query))
        rank = self._config.rank
        return sorted(incidents, key=lambda i: (rank(i.severity), i.declared_at))

    # -- changing ----------------------------------------------------------------------

    def declare(self, declaration: Declaration) -> Incident:
        with self._sessions() as session, session.begin():
            incident = self.declare_in(session, declaration, attached=False)
        return incident

    def declare_in(self, session: Session, declaration: Declaration, attached: bool = True) -> Incident:
        """Declare inside the caller's transaction (an alert locks its row first).

        A declare's ack waits for this, so its rows are built in memory and written together
        (``store.insert_new``); the incident returned is loaded in ``session``
        only where something goes on to change it (``attached``: the caller; paging; the status
        page), else it is the transient object written, every column as in the database."""
        title = declaration.title.strip()
        if not title:
            raise UserError("An incident needs a title.", command="declare", field="title")
        if len(title) > TITLE_LENGTH:
            raise UserError(
                f"The title is {len(title)} characters long; keep it under {TITLE_LENGTH} and put the rest in the description.",
                field="title",
            )
        if declaration.drill and declaration.public:
            raise UserError("A drill is never on the status page: declare it without public impact.", command="drill")
        severity = self.check_severity(declaration.severity or self._config.default_severity)
        service = self._check_service(declaration.service)
        level = self._config.severity(severity)
        now = self._clock.now()
        by = declaration.declared_by
        commander = declaration.commander or (by if is_user(by) else None)
        incident = Incident(
            title=title,
            description=(declaration.description or "").strip() or None,
            severity=severity,
            status=Status.INVESTIGATING,
            service=service,
            declared_by=by,
            reply_to=declaration.reply_to,
            declared_at=now,
            invited_users=[],
            roles=[],  # a new incident has none: saying so spares a lazy load per collection
            events=[],
            pages=[],
            deliveries=[],
            quiet_until=now + declaration.page_delay if declaration.page_delay else None,
            drill=declaration.drill,
        )
        if self._updates:
            self._updates.on_declared(incident)

        def complete(incident: Incident) -> list[dict]:
            what = f"a drill, {incident.line()}" if declaration.drill else incident.line()
            incident.log(now, by, "declared", f"{mention(by)} declared {what}",
                         {"severity": severity, "service": service, "drill": declaration.drill}, announce=False)
            if commander is not None:
                self._assign(incident, Role.COMMANDER, commander, by, announce=False)
                if not level.separate_comms_lead:
                    self._assign(incident, Role.COMMS_LEAD, commander, by, announce=False)
            return self._updates.first_reminders(incident) if self._updates else []

        store.insert_new(session, incident, complete)
        pages = self._paging is not None and (level.page if declaration.page is None else declaration.page)
        if not (attached or declaration.public or declaration.drill or (pages and self._paging.is_set_up)):
            return incident
        incident = load(session, incident.id)
        if declaration.public:
            public.declared_public(session, incident, by, now, self._config)
        if declaration.drill:
            self._require_paging_at_all().page_drill(session, incident, declaration.people or (by,), by)
        elif pages:
            self._paging.start(session, incident, reason=f"declared {severity}", requested_by=by,
                               urgency=declaration.urgency or level.urgency, delay=declaration.page_delay,
                               cause="declared" if is_user(by) else "alert")
        return incident

    def acknowledge(self, incident_id: int, actor: str) -> Incident:
        """The incident's first acknowledgement, and every page still ringing: one act, one answer.

        The acknowledger takes the role their page named if it is free, else commander if that is
        (a person in Slack only: an acknowledgement from PagerDuty is recorded by name).
        """
        with self._write(incident_id) as incident:
            stopped, paged_role = ([], None)
            if self._paging:
                stopped, paged_role = self._paging.acknowledge(object_session(incident), incident, actor)
            now = self._clock.now()
            if incident.acknowledged_at is None:
                incident.acknowledged_at, incident.acknowledged_by = now, actor
                waited = format_duration(now - incident.declared_at)
                incident.log(now, actor, "acknowledged",
                             f"{mention(actor)} acknowledged {incident.number} ({waited} after it was declared)")
            elif stopped:
                incident.log(now, actor, "acknowledged", f"{mention(actor)} acknowledged the page for {incident.number}")
            else:
                raise InvalidTransition(f"{incident.number} was already acknowledged by {mention(incident.acknowledged_by)}.")
            # Someone acknowledging in PagerDuty takes no role: they are no Slack user.
            candidates = (([Role(paged_role)] if paged_role else []) + [Role.COMMANDER]) if is_user(actor) else []
            free = next((role for role in candidates if self._free_for(incident, role, actor)), None)
            if free is not None:
                self._assign(incident, free, actor, actor)
        return incident

    def page(self, incident_id: int, actor: str, *, user: str | None = None, service: str | None = None) -> Incident:
        """``/incident page``: one person, or a service's escalation policy from its first level."""
        paging = self._require_paging()
        with self._write(incident_id) as incident:
            self._refuse_if_resolved(incident, "page someone")
            session = object_session(incident)
            if user is not None:
                paging.page_user(session, incident, user, actor)
            else:
                self._refuse_if_drill(incident, f"page `{service}`'s escalation chain")
                policy = self._config.service(paging.check_service(service)).escalation_policy
                if paging.start(session, incident, reason=f"<@{actor}> paged {service}", requested_by=actor,
                                policy=policy, cause="command") is None:
                    raise UserError(f"The {code(service)} service names the escalation policy {code(policy)}, "
                                    f"which is not configured: add it under {code('escalation_policies')} in incidents.yaml.")
        return incident

    def escalate(self, incident_id: int, actor: str) -> Incident:
        paging = self._require_paging()
        with self._write(incident_id) as incident:
            self._refuse_if_resolved(incident, "escalate it")
            self._refuse_if_drill(incident, "escalate it")
            paging.escalate(object_session(incident), incident, actor)
        return incident

    def assign_role(self, incident_id: int, role: Role, user: str, actor: str, only_if_open: bool = False) -> Incident:
        """Hand ``role`` to ``user``; ``only_if_open`` (the *Take* button) refuses while someone holds it."""
        with self._write(incident_id) as incident:
            self._refuse_if_resolved(incident, f"hand over the {role.title} role")
            holder = incident.holder(role)
            if holder == user:
                raise InvalidTransition(f"<@{user}> is already the {role.title} of {incident.number}.")
            separate = role is Role.COMMS_LEAD and self._config.severity(incident.severity).separate_comms_lead
            if separate and user == incident.holder(Role.COMMANDER):
                raise InvalidTransition(
                    f"{incident.severity} needs a Communication Lead other than the Incident Commander "
                    f"(<@{user}>): one person fixes, one talks. Pick someone else."
                )
            open_seat = holder is None or (separate and comms_lead_wanted(incident, self._config))
            if only_if_open and not open_seat:
                raise InvalidTransition(
                    f"<@{holder}> is already the {role.title} of {incident.number}; "
                    f"they can hand it to you with {code(f'/incident {_COMMAND[role]} <@{user}>')}."
                )
            self._assign(incident, role, user, actor)
        return incident

    def pressed_on_summary(self, incident_id: int, channel_id: str, message_ts: str, response_url: str) -> None:
        """A button was pressed on this incident's summary: its response URL can replace the summary (for
        ``REPLY_URL_LASTS``), so the change it makes costs no ``chat.update``. A button elsewhere (a page
        DM, the announcement) is ignored: its URL would replace that message."""
        with self._sessions() as session, session.begin():
            session.execute(update(Incident).where(Incident.id == incident_id, Incident.channel_id == channel_id,
                                                   Incident.summary_ts == message_ts)
                            .values(summary_reply_url=response_url,
                                    summary_reply_until=self._clock.now() + REPLY_URL_LASTS))

    def take_comms(self, incident_id: int, actor: str) -> Incident:
        """The *Take communication lead* button."""
        return self.assign_role(incident_id, Role.COMMS_LEAD, actor, actor, only_if_open=True)

    def set_status(self, incident_id: int, status_text: str, actor: str) -> Incident:
        status = self._check_status(status_text)
        if status is Status.RESOLVED:
            return self.resolve(incident_id, actor)
        with self._write(incident_id) as incident:
            if Status(incident.status) is status:
                raise InvalidTransition(f"{incident.number} is already {status}.", command="status")
            self._move(incident, status, actor)
        return incident

    def post_update(self, incident_id: int, actor: str, text: str, status_text: str | None = None,
                    next_in: timedelta | None = None) -> tuple[Incident, bool]:
        """A stakeholder update and the status it announces, as one change; whether the status was
        left alone because the incident was resolved meanwhile (an update never reopens one: after
        resolution it is a follow-up)."""
        status = self._check_status(status_text) if status_text else None
        if status is Status.RESOLVED:
            raise UserError(f"An update does not resolve an incident: use {code('/incident resolve [summary]')}.",
                            command="resolve")
        with self._write(incident_id) as incident:
            current = Status(incident.status)
            kept_resolved = current is Status.RESOLVED and status is not None
            if status is not None and status is not current and not kept_resolved:
                self._move(incident, status, actor)
            self._require_updates().post_in(incident, actor, text, next_in)
        return incident, kept_resolved

    def _move(self, incident: Incident, status: Status, actor: str) -> None:
        """Move an incident to another status short of resolved, saying what it means."""
        old = Status(incident.status)
        now = self._clock.now()
        incident.status = status
        if old is Status.RESOLVED:
            incident.resolved_at = None
            incident.mitigated_at = None
            if self._updates:
                self._updates.reschedule(object_session(incident), incident)
            if self._reviews:
                self._reviews.on_reopened(object_session(incident), incident)
            incident.log(now, actor, "reopened", f"<@{actor}> reopened {incident.number}: it is {status} again",
                         {"from": old, "to": status})
            return
        if status is Status.MITIGATED:
            incident.mitigated_at = now
            text = f"<@{actor}> marked {incident.number} mitigated: the impact is contained, the cause is not fixed yet"
        elif old is Status.MITIGATED:
            incident.mitigated_at = None
            text = f"<@{actor}> moved {incident.number} from mitigated back to {status}: the mitigation no longer holds"
        else:
            text = f"<@{actor}> moved {incident.number} from {old} to {status}"
        incident.log(now, actor, "status_changed", text, {"from": old, "to": status})

    def resolve(self, incident_id: int, actor: str, summary: str | None = None) -> Incident:
        with self._write(incident_id) as incident:
            if incident.status == Status.RESOLVED:
                raise InvalidTransition(f"{incident.number} is already resolved.")
            self.close(incident, actor, summary=summary)
        return incident

    def close(self, incident: Incident, actor: str, *, summary: str | None = None,
              transient: str | None = None) -> None:
        """Every way an incident ends, inside the caller's transaction: resolved, its pages stopped,
        its update reminders and comms-lead asks cancelled, its report drafted and its review set.
        ``transient`` (why, for an alert that resolved itself before anyone was paged) ends it quietly:
        nobody was told, so nobody is told it is over, and there is no report to ask for."""
        now = self._clock.now()
        mitigated_at = incident.mitigated_at
        incident.status = Status.RESOLVED
        incident.resolved_at = now
        incident.quiet_until = None  # over: its Slack side (if it ever had one) catches up at once
        if transient is not None:
            incident.transient = True
            incident.log(now, actor, "resolved", transient, {"transient": True})
        else:
            incident.resolution_summary = (summary or "").strip() or incident.resolution_summary
            lasted = format_duration(now - incident.declared_at)
            if mitigated_at is not None:
                how = f"mitigated after {format_duration(mitigated_at - incident.declared_at)}, then fixed"
            else:
                how = "fixed without a separate mitigation"
            text = f"<@{actor}> resolved {incident.number} after {lasted} ({how})"
            if incident.resolution_summary:
                text += f": {incident.resolution_summary}"
            incident.log(now, actor, "resolved", text, {
                "summary": incident.resolution_summary,
                "mitigated_at": mitigated_at.isoformat() if mitigated_at else None,
                "duration_seconds": int((now - incident.declared_at).total_seconds()),
            })
        session = object_session(incident)
        timers.cancel(session, incident_id=incident.id, now=now)  # nothing of an open incident is left to do
        if transient is None:
            public.resolved(session, incident, now)
        if self._paging:
            self._paging.stop(session, incident)
        if self._updates:
            self._updates.on_resolved(session, incident, quietly=transient is not None)
        if self._reviews:
            self._reviews.on_resolved(session, incident, quietly=transient is not None)

    def change_severity(self, incident_id: int, severity_text: str, actor: str, reason: str | None = None) -> Incident:
        severity = self.check_severity(severity_text, "sev")
        with self._write(incident_id) as incident:
            self._refuse_if_resolved(incident, "change its severity")
            old = incident.severity
            if old == severity:
                raise InvalidTransition(f"{incident.number} is already {severity}.")
            downgrade = self._config.is_downgrade(old, severity)
            verb = "downgraded" if downgrade else "raised"
            text = f"{incident.number} {verb} from {old} to {severity} by <@{actor}>"
            if reason:
                text += f": {reason.strip()}"
            self._set_severity(incident, severity, actor, text, reason)
        return incident

    def raise_for_alert(self, incident: Incident, severity: str | None, source: str, title: str) -> None:
        """In the alert service's transaction: a more severe alert joined the incident, which takes its
        severity (announced, and paged if the new severity pages); a less severe one changes nothing."""
        if severity is None or severity == incident.severity or not self._config.is_downgrade(severity, incident.severity):
            return
        reason = f"a more severe alert joined: {title}"
        self._set_severity(incident, severity, source,
                           f"{incident.number} raised from {incident.severity} to {severity}: {reason}", reason)

    def _set_severity(self, incident: Incident, severity: str, actor: str, text: str, reason: str | None) -> None:
        """The one way a severity changes: recorded and announced, nags rescheduled, a raise paged."""
        old = incident.severity
        downgrade = self._config.is_downgrade(old, severity)
        incident.severity = severity
        incident.log(self._clock.now(), actor, "severity_changed", text,
                     {"from": old, "to": severity, "reason": reason, "downgrade": downgrade})
        if self._updates:
            self._updates.reschedule(object_session(incident), incident)
        if not downgrade:
            self._page_for_raise(incident, actor)

    def pin(self, incident_id: int, reactor: str, channel: str, ts: str,
            read: Callable[[str, str], PinnedMessage]) -> None:
        """A message someone marked with :pushpin: joins the timeline at its own time, once: one pinned
        already (by someone else, or an event Slack sent again) is not read again, and a second
        :pushpin: at the same moment finds the first under the row lock. ``read`` fetches the message
        (from Slack); one it could not hand over is recorded as a ``pin_skipped`` gap, so the report
        shows it instead of silently missing it."""
        if _pinned(self.get(incident_id), ts):
            return
        pinned = read(channel, ts)
        with self._write(incident_id) as incident:
            if _pinned(incident, pinned.ts):
                return
            if pinned.unread is not None:
                incident.log(pinned.posted_at, reactor, "pin_skipped",
                             f"<@{reactor}> :pushpin:ed a message posted at this time in <#{pinned.channel}>, "
                             f"which could not be copied here: {pinned.unread}",
                             {"channel": pinned.channel, "message_ts": pinned.ts, "reason": pinned.unread},
                             announce=False)
                return
            line = " ".join((pinned.text or "").split()) or "(no text)"
            incident.log(pinned.posted_at, reactor, "pinned",
                         f":pushpin: {mention(pinned.author)}: {line} (pinned by <@{reactor}>)",
                         {"author": pinned.author, "message_ts": pinned.ts, "permalink": pinned.permalink,
                          "text": pinned.text}, announce=False)

    def add_note(self, incident_id: int, actor: str, text: str) -> Incident:
        text = text.strip()
        if not text:
            raise UserError("A note needs some text.", command="note")
        with self._write(incident_id) as incident:
            incident.log(self._clock.now(), actor, "note", text)
        return incident

    # -- validation shared with the handlers -------------------------------------------

    def check_severity(self, text: str, command: str = "declare") -> str:
        name = self._config.severity_named(text)
        if name is None:
            names = ", ".join(self._config.severity_names())
            raise UserError(f"Unknown severity {code(text)}; use one of {names}.", command=command, field="severity")
        return name

    def _check_status(self, text: str) -> Status:
        try:
            return Status(text.strip().lower())
        except ValueError:
            raise UserError(f"Unknown status {code(text)}.", command="status") from None

    def _check_service(self, name: str | None) -> str | None:
        if not name:
            return None
        if (found := self._config.service_named(name)) is None:
            known = ", ".join(self._config.services) or "none are configured"
            raise UserError(f"Unknown service {code(name)}; known services: {known}.", field="service")
        return found

    # -- internals ---------------------------------------------------------------------

    def _write(self, incident_id: int):
        """One transaction holding the incident's row lock (see ``bot.store.changing``)."""
        return changing(self._sessions, incident_id)

    def _assign(self, incident: Incident, role: Role, user: str, actor: str, announce: bool = True) -> None:
        now = self._clock.now()
        previous = None
        for assignment in incident.roles:
            if assignment.role == role and assignment.ended_at is None:
                assignment.ended_at = now
                previous = assignment.user_id
        incident.roles.append(RoleAssignment(role=role, user_id=user, assigned_by=actor, started_at=now))
        if previous is None:
            text = f"<@{user}> is now the {role.title}"
        else:
            text = f"<@{previous}> handed the {role.title} role to <@{user}>"
        if actor not in (user, previous):
            text += f" (by <@{actor}>)"
        incident.log(now, actor, "role_assigned", text, {"role": role, "user": user, "previous": previous}, announce)
        if self._updates and (announce or user != actor):
            self._updates.on_role(incident, role, user)

    def _page_for_raise(self, incident: Incident, actor: str) -> None:
        """Raised to a paging severity: page now, or wake a page that waited for business hours."""
        level = self._config.severity(incident.severity)
        if not (self._paging and level.page) or incident.drill:  # a drill pages only the people it named
            return
        session = object_session(incident)
        if level.urgency == "high" and self._paging.wake(session, incident):
            return
        if not any(page.active for page in incident.pages):
            self._paging.start(session, incident, reason=f"raised to {incident.severity}", requested_by=actor,
                               urgency=level.urgency, cause="raised")

    def _free_for(self, incident: Incident, role: Role, user: str) -> bool:
        """Nobody holds ``role``, and taking it would not make the commander talk for a big incident."""
        if incident.holder(role) is not None:
            return False
        return not (role is Role.COMMS_LEAD and incident.holder(Role.COMMANDER) == user
                    and comms_lead_wanted(incident, self._config))

    def _require_updates(self) -> UpdateService:
        if self._updates is None:
            raise RuntimeError("stakeholder updates are not wired into this incident service")
        return self._updates

    def _require_paging_at_all(self) -> PagingService:
        """Paging, with or without escalation policies (a drill pages people by name)."""
        if self._paging is None:
            raise RuntimeError("paging is not wired into this incident service")
        return self._paging

    def _require_paging(self) -> PagingService:
        if self._paging is None or not self._config.escalation_policies:
            raise UserError(f"Paging is not set up: add {code('escalation_policies')} (and {code('schedules')}) "
                            "to incidents.yaml; see incidents.example.yaml.")
        return self._paging

    @staticmethod
    def _refuse_if_drill(incident: Incident, what: str) -> None:
        if incident.drill:
            raise InvalidTransition(
                f"{incident.number} is a drill: it pages only the people it names, so it cannot {what}. "
                "Page someone by name with `/incident page @user`.")

    @staticmethod
    def _refuse_if_resolved(incident: Incident, what: str) -> None:
        if incident.status == Status.RESOLVED:
            raise InvalidTransition(
                f"{incident.number} is resolved; to {what}, reopen it first with {code('/incident status investigating')}."
            )


_COMMAND = {Role.COMMANDER: "ic", Role.COMMS_LEAD: "comms"}


def _pinned(incident: Incident, ts: str) -> bool:
    return any(event.kind == "pinned" and event.data.get("message_ts") == ts for event in incident.events)
