"""Stakeholder communication: updates, the nags that keep them coming, subscribers and follow-up.

An update goes to the incident channel, the announcement's thread and, by DM, to subscribers
and to the stakeholder groups of its severity. Every interval without one (the severity's
``update_every``) the Communication Lead is nagged in the channel; a nag still unanswered after
another interval names the Incident Commander too. Nags are timer rows, so none is lost or sent
twice; DMs are ``Delivery`` rows sent by the Slack sync. (The report and review reminders after
resolution are ``bot.reports.review``'s.)
The ``on_*`` methods run inside the incident service's transactions.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, object_session, sessionmaker

from bot.comms.roles import comms_lead_wanted
from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.core.durations import format_duration
from bot.core.errors import InvalidTransition, UserError
from bot.core.store import changing
from bot.jobs import timers
from bot.status import public
from models import Delivery, Incident, Role, Status, Subscription

NAG = "nag"
COMMS_ASK = "comms_ask"


class UpdateService:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock,
) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock

    # -- what people do --------------------------------------------------------------------

    def post_in(self, incident: Incident, actor: str, text: str, next_in: timedelta | None = None) -> None:
        """A stakeholder update, inside the incident service's transaction; it resets the nag timer.

        After resolution an update is a follow-up (what was found, when the report comes): it goes
        wherever updates go, and no next one is due.
        """
        text = text.strip()
        if not text:
            raise UserError("An update needs some text: what users see, what is being done, when the next update comes.",
                            command="update")
        now = self._clock.now()
        every = next_in or self._every(incident)
        incident.latest_update, incident.latest_update_at = text, now
        incident.update_due_at = None if incident.status == Status.RESOLVED else now + every
        incident.log(now, actor, "update", text, {"status": incident.status, "next_at": _iso(incident.update_due_at)})
        self._deliver(incident, "update", incident.events[-1])
        self._schedule_nag(object_session(incident), incident)

    def snooze(self, incident_id: int, actor: str, minutes: int) -> Incident:
        with changing(self._sessions, incident_id) as incident:
            if incident.status == Status.RESOLVED:
                raise InvalidTransition(f"{incident.number} is resolved: there is no update reminder to snooze.")
            now = self._clock.now()
            incident.update_due_at = now + timedelta(minutes=minutes)
            incident.log(now, actor, "snoozed", f"<@{actor}> snoozed the update reminder for {minutes}m", announce=False)
            self._schedule_nag(object_session(incident), incident)
        return incident

    def subscribe(self, incident_id: int, user: str) -> bool:
        """Toggle: True when ``user`` now gets the updates by DM, False when they stopped."""
        with changing(self._sessions, incident_id) as incident:
            mine = [s for s in incident.subscriptions if s.user_id == user]
            if mine:
                incident.subscriptions.remove(mine[0])
                return False
            incident.subscriptions.append(Subscription(user_id=user, created_at=self._clock.now()))
            return True

    # -- inside the incident service's transactions ------------------------------------------

    def on_declared(self, incident: Incident) -> None:
        """A new incident, before it is written: its first update is due one interval after its declaration."""
        incident.update_due_at = incident.declared_at + self._every(incident)

    def first_reminders(self, incident: Incident) -> list[dict]:
        """A new incident's first nag and, while its severity wants a Communication Lead, its first
        ask: timer rows to write with the incident's other rows (no pending twin can exist)."""
        rows = [timers.new_row(**self._nag(incident))]
        if comms_lead_wanted(incident, self._config):
            rows.append(timers.new_row(**self._comms_ask(incident, incident.declared_at)))
        return rows

    def reschedule(self, session: Session, incident: Incident) -> None:
        """After a severity change or a reopening: the interval counts from the last update, at once."""
        since = incident.latest_update_at or incident.declared_at
        incident.update_due_at = max(since + self._every(incident), self._clock.now())
        self._schedule_nag(session, incident)
        self._schedule_comms_ask(session, incident)

    def on_resolved(self, session: Session, incident: Incident, quietly: bool = False) -> None:
        """No more reminders; stakeholders hear the end; the commander is asked for a summary. ``quietly``
        (a transient alert nobody heard of) only stops the reminders."""
        now = self._clock.now()
        incident.update_due_at = None
        timers.cancel(session, incident_id=incident.id, kinds=[NAG, COMMS_ASK], now=now)
        if quietly:
            return
        self._deliver(incident, "resolution", incident.events[-1])
        lead = incident.holder(Role.COMMANDER) or incident.declared_by
        if not incident.resolution_summary:
            incident.deliveries.append(Delivery(user_id=lead, kind="summary_request", created_at=now))

    def on_role(self, incident: Incident, role: Role, user: str) -> None:
        """The new holder learns what the role asks of them."""
        incident.deliveries.append(Delivery(user_id=user, kind=f"role:{role.value}", created_at=self._clock.now()))

    # -- timer handlers -----------------------------------------------------------------------

    def fire_nag(self, timer) -> None:
        """No update for an interval: remind the Communication Lead (and the commander after the first)."""
        due = datetime.fromisoformat(timer.payload["due"])
        with changing(self._sessions, timer.incident_id) as incident:
            session = object_session(incident)
            if incident.status == Status.RESOLVED or incident.update_due_at != due:
                return  # an update, a snooze or a severity change moved the reminder since
            now = self._clock.now()
            round_ = timer.payload.get("round", 1)
            lead = incident.holder(Role.COMMS_LEAD) or incident.holder(Role.COMMANDER)
            named = [lead] if lead else []
            if round_ > 1 and incident.holder(Role.COMMANDER) not in named:
                named.append(incident.holder(Role.COMMANDER))
            silent = format_duration(now - (incident.latest_update_at or incident.declared_at))
            who = " ".join(f"<@{u}>" for u in named if u) or "Someone"
            text = (f"{who}: no stakeholder update for {incident.number} ({incident.status}) for {silent}. "
                    "Post one now, or snooze.")
            quiet_page = public.silence(session, incident, now, self._config)
            if quiet_page is not None:
                text += " " + public.silence_text(quiet_page)
            incident.log(now, None, "nag", text, {"round": round_, "named": [u for u in named if u],
                                                  "public_due": quiet_page is not None})
            every = self._every(incident)
            timers.schedule(session, NAG, now + every, incident_id=incident.id,
                            payload={"due": _iso(due), "round": round_ + 1},
                            key=f"nag:{incident.id}:{_iso(due)}:{round_ + 1}")

    def fire_comms_ask(self, timer) -> None:
        """A severity that wants a separate Communication Lead asks again, every interval, until one is found."""
        with changing(self._sessions, timer.incident_id) as incident:
            if not comms_lead_wanted(incident, self._config):
                return
            now = self._clock.now()
            incident.log(now, None, "comms_wanted",
                         f"{incident.number} still has no Communication Lead: {incident.severity} wants one person "
                         "fixing and another talking to stakeholders. Press *Take communication lead*.")
            self._schedule_comms_ask(object_session(incident), incident, again=True)

    # -- internals ------------------------------------------------------------------------------

    def _every(self, incident: Incident) -> timedelta:
        return self._config.severity(incident.severity).update_every

    def _schedule_nag(self, session: Session, incident: Incident) -> None:
        """The one pending reminder for the current interval."""
        timers.cancel(session, incident_id=incident.id, kinds=[NAG], now=self._clock.now())
        if incident.update_due_at is not None:
            timers.schedule(session, **self._nag(incident))

    def _schedule_comms_ask(self, session: Session, incident: Incident, again: bool = False) -> None:
        """The next ask for a Communication Lead while the severity wants one; ``again`` from the ask itself."""
        now = self._clock.now()
        if not again:
            timers.cancel(session, incident_id=incident.id, kinds=[COMMS_ASK], now=now)
        if comms_lead_wanted(incident, self._config):
            timers.schedule(session, **self._comms_ask(incident, now))

    @staticmethod
    def _nag(incident: Incident) -> dict:
        """The first round of the reminder for the update due at ``incident.update_due_at``."""
        due = _iso(incident.update_due_at)
        return {"kind": NAG, "due_at": incident.update_due_at, "incident_id": incident.id,
                "payload": {"due": due, "round": 1}, "key": f"nag:{incident.id}:{due}:1"}

    def _comms_ask(self, incident: Incident, now: datetime) -> dict:
        due = now + self._every(incident)
        return {"kind": COMMS_ASK, "due_at": due, "incident_id": incident.id, "key": f"comms:{incident.id}:{_iso(due)}"}

    def _deliver(self, incident: Incident, kind: str, event) -> None:
        """A DM owed to each subscriber and to each stakeholder group that follows this severity."""
        object_session(incident).flush()  # the event needs its id
        now = self._clock.now()
        people = {s.user_id for s in incident.subscriptions}
        for group in self._config.stakeholders.values():
            if group.severities is None or incident.severity in group.severities:
                people |= set(group.users) | set(group.usergroups)
        for person in sorted(people):
            incident.deliveries.append(Delivery(user_id=person, kind=kind, event_id=event.id, created_at=now))


def _iso(moment: datetime | None) -> str | None:
    """A moment as a timer's payload and key keep it (JSON has no datetimes); read back with
    ``datetime.fromisoformat`` and compared as a moment, never as text."""
    return moment.isoformat() if moment else None
