"""Paging: who is called for an incident, level by level, until someone acknowledges.

Every future step (the next level, a renotify) is a timer row written in the same transaction
as the change that made it due, so a restart or a second worker loses and doubles nothing.
The methods taking a ``session`` run inside the incident service's transaction; the ``fire_*``
methods are timer handlers, run by a worker: they record whom they notify before sending, so
a handler run again after a crash sends only what was not sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session, selectinload, sessionmaker

from bot.config import EscalationPolicyConfig, IncidentConfig, TargetConfig
from bot.core.business_hours import is_open, next_opening
from bot.core.clock import Clock
from bot.core.durations import format_duration
from bot.core.errors import InvalidTransition, PageNotDelivered, UserError, code
from bot.core.store import changing
from bot.jobs import timers
from bot.jobs.timers import TryAgain
from bot.paging.bridge import PagerDutyBridge
from bot.paging.contacts import METHOD_NAMES
from bot.paging.oncall import OnCallService
from bot.paging.steps import PAGE_STEP, NotificationSteps
from bot.people import PeopleDirectory
from models import Incident, Page, PageNotification, PageState, TimelineEvent

log = logging.getLogger(__name__)

PAGE_LEVEL = "page.level"
PAGE_RENOTIFY = "page.renotify"
KINDS = (PAGE_LEVEL, PAGE_RENOTIFY)


@dataclass(frozen=True)
class Recipient:
    user_id: str
    target: str
    role: str | None


class Pager(Protocol):
    """What paging needs from a way to reach people (``bot.slack.pager.SlackPager``); both raise
    ``PageNotDelivered`` when they fail."""

    def send(self, incident: Incident, notification: PageNotification, late: bool = False) -> None:
        """Page the person by DM; a ``late`` page says it was due earlier (its level has escalated)."""
        ...

    def already_sent(self, incident: Incident, notification: PageNotification) -> bool:
        """Whether this very page reached the person already (an earlier attempt's answer was lost)."""
        ...

    def usergroup_members(self, usergroup: str) -> list[str]: ...

    def dnd_until(self, user: str) -> datetime | None:
        """When the person's Do Not Disturb (or snooze) ends, if it is on now."""
        ...


class PagingService:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock,
                 oncall: OnCallService, pager: Pager | None, steps: NotificationSteps | None = None,
                 bridge: PagerDutyBridge | None = None, people: PeopleDirectory | None = None) -> None:
        self._sessions = sessions
        self._people = people
        self._steps = steps
        self._bridge = bridge
        self._config = config
        self._clock = clock
        self._oncall = oncall
        self._pager = pager

    # -- inside the incident service's transactions -----------------------------------------

    def start(self, session: Session, incident: Incident, *, reason: str, requested_by: str | None,
              urgency: str = "high", delay: timedelta = timedelta(0), policy: str | None = None,
              cause: str = "declared") -> Page | None:
        """Start the incident's escalation policy, now, after ``delay``, or at the next business morning."""
        if not self.is_set_up:
            return None  # nothing to say on every incident
        name = policy or self._policy_for(incident)
        if name not in self._config.escalation_policies:
            incident.log(self._clock.now(), requested_by, "paging_skipped",
                         f"Nobody was paged ({reason}): no escalation policy `{name}` is configured")
            return None
        return self._begin(session, incident, reason=reason, requested_by=requested_by, urgency=urgency,
                           delay=delay, policy=name, cause=cause)

    @property
    def is_set_up(self) -> bool:
        """Whether any escalation policy is configured (without one, a declare pages nobody, silently)."""
        return bool(self._config.escalation_policies)

    def page_user(self, session: Session, incident: Incident, user: str, requested_by: str) -> Page:
        return self._begin(session, incident, reason=f"<@{requested_by}> paged <@{user}>", requested_by=requested_by,
                           urgency="high", delay=timedelta(0), user=user, cause="command")

    def page_drill(self, session: Session, incident: Incident, users: tuple[str, ...], requested_by: str) -> list[Page]:
        """A drill pages each person it names at once, by their own notification rules, as a real page
        would (Slack first, then push, SMS, a call, e-mail): the rehearsal is of the real path."""
        return [self._begin(session, incident, reason=f"drill: <@{requested_by}> paged <@{user}>",
                            requested_by=requested_by, urgency="high", delay=timedelta(0), user=user, cause="drill")
                for user in dict.fromkeys(users)]

    def escalate(self, session: Session, incident: Incident, actor: str) -> Page:
        """Call in the next level now, whether or not the current one acknowledged."""
        page = _latest_policy_page(incident)
        if page is None:
            raise InvalidTransition(f"Nobody has been paged for {incident.number} yet; "
                                    f"{code('/incident page <service|@user>')} pages someone.", command="page")
        policy = self._config.escalation_policies[page.policy]
        if page.level + 1 >= len(policy.levels):
            raise InvalidTransition(f"{incident.number} is already at the last level ({page.level + 1}) "
                                    f"of the {code(page.policy)} policy; page someone by name with "
                                    f"{code('/incident page @user')}.")
        self._cancel_timers(session, incident)
        page.state = PageState.PAGING
        now = self._clock.now()
        self._schedule_level(session, incident, page, page.level + 1, page.cycle, now)
        incident.log(now, actor, "escalated", f"<@{actor}> escalated {incident.number} to level {page.level + 2}")
        return page

    def acknowledge(self, session: Session, incident: Incident, actor: str) -> tuple[list[Page], str | None]:
        """Stop every active page of the incident; the role that the actor was paged for, if any."""
        now = self._clock.now()
        stopped = [page for page in incident.pages if page.active]
        for page in stopped:
            page.state, page.acknowledged_by, page.acknowledged_at = PageState.ACKNOWLEDGED, actor, now
        if stopped:
            self._cancel_timers(session, incident)
            self._cancel_steps(session, incident, stopped)
            if self._bridge is not None:
                self._bridge.acknowledged(session, incident)
        roles = [n.role for page in incident.pages for n in page.notifications if n.user_id == actor and n.role]
        return stopped, (roles[-1] if roles else None)

    def stop(self, session: Session, incident: Incident) -> None:
        """The incident is over: no page for it goes on."""
        now = self._clock.now()
        ended = [page for page in incident.pages if page.active]
        for page in ended:
            page.state, page.ended_at = PageState.ENDED, now
        self._cancel_timers(session, incident)
        self._cancel_steps(session, incident, ended)
        if self._bridge is not None:
            self._bridge.ended(session, incident)

    def wake(self, session: Session, incident: Incident) -> bool:
        """A page waiting for business hours starts now (the incident became urgent)."""
        waiting = [page for page in incident.pages if page.state == PageState.WAITING]
        if waiting:
            self._cancel_timers(session, incident)
        now = self._clock.now()
        for page in waiting:
            page.state, page.starts_at = PageState.PAGING, now
            self._schedule_level(session, incident, page, 0, 0, now)
        return bool(waiting)

    def _cancel_timers(self, session: Session, incident: Incident) -> None:
        timers.cancel(session, incident_id=incident.id, kinds=KINDS, now=self._clock.now())

    def _cancel_steps(self, session: Session, incident: Incident, pages: list[Page]) -> None:
        """Steps run until the acknowledgement (an escalation leaves them running)."""
        if self._steps is not None and pages:
            timers.cancel(session, incident_id=incident.id, kinds=(PAGE_STEP,), now=self._clock.now())
            self._steps.cancel(session, [page.id for page in pages])

    def _policy_for(self, incident: Incident) -> str:
        service = self._config.service(incident.service) if incident.service else None
        return service.escalation_policy if service else "default"

    def check_service(self, name: str) -> str:
        if (found := self._config.service_named(name)) is None:
            known = ", ".join(self._config.services) or "none are configured"
            raise UserError(f"{code(name)} is neither a person nor a known service ({known}).",
                            command="page")
        return found

    # -- timer handlers ------------------------------------------------------------------

    def fire_level(self, timer) -> None:
        """Page everyone of one level, then schedule the renotify and the next level."""
        page_id, level, cycle = timer.payload["page"], timer.payload["level"], timer.payload["cycle"]
        users = self._users_of(page_id, level)
        with changing(self._sessions, timer.incident_id) as incident:
            session = object_session(incident)
            page = _locked_page(session, page_id)
            if page is None or not page.active:
                return
            now = self._clock.now()
            if not _notifications_of(page, timer.id):
                page.state, page.level, page.cycle = PageState.PAGING, level, cycle
                for recipient in self._recipients(page, level, users):
                    page.notifications.append(PageNotification(
                        timer_id=timer.id, user_id=recipient.user_id, level=level, target=recipient.target,
                        role=recipient.role, renotify=False, created_at=now,
                        out_of_hours=self._out_of_hours(now, recipient.user_id, session)))
                if self._bridge is not None and (level, cycle) == (0, 0):
                    self._bridge.paged(session, incident)
                if self._steps is not None:
                    for notification in _notifications_of(page, timer.id):
                        self._steps.plan(session, page, notification.user_id, now)
                paged = ", ".join(f"<@{n.user_id}>" for n in _notifications_of(page, timer.id)) or "nobody (no one on call)"
                where = f" of `{page.policy}`" if page.policy else ""
                incident.log(now, None, "paged", f"Paged {paged}: level {level + 1}{where} ({page.reason})",
                             {"page": page.id, "level": level, "cycle": cycle})
                self._after_level(session, incident, page, now, nobody=not _notifications_of(page, timer.id))
        self._warn_dnd(page_id, timer.id)
        self._send(page_id, timer)

    def fire_renotify(self, timer) -> None:
        page_id = timer.payload["page"]
        with changing(self._sessions, timer.incident_id) as incident:
            session = object_session(incident)
            page = _locked_page(session, page_id)
            if page is None or not page.active:
                return
            now = self._clock.now()
            if not _notifications_of(page, timer.id):
                if page.state != PageState.PAGING or not _current(page, timer.payload):
                    return  # a chain of an earlier level: a later level has its own
                first = [n for n in page.notifications if n.level == page.level and not n.renotify
                         and n.created_at >= page.starts_at]
                for n in _unique_users(first):
                    page.notifications.append(PageNotification(
                        timer_id=timer.id, user_id=n.user_id, level=n.level, target=n.target, role=n.role,
                        renotify=True, created_at=now, out_of_hours=self._out_of_hours(now, n.user_id, session)))
                self._schedule_renotify(session, page, now, key=f"page:{page.id}:renotify:{timer.id}")
                users = ", ".join(f"<@{n.user_id}>" for n in _notifications_of(page, timer.id))
                incident.log(now, None, "renotified", f"Paged {users} again: nobody has acknowledged yet",
                                  {"page": page.id, "level": page.level})
        self._warn_dnd(page_id, timer.id)
        self._send(page_id, timer)

    # -- internals -----------------------------------------------------------------------

    def _out_of_hours(self, at: datetime, user_id: str, session: Session) -> bool:
        """Recorded with each page, so the retro counts who was woken without recomputing zones in SQL:
        business hours in the paged person's own zone when Slack has told it (``retro.out_of_hours_in``)."""
        return not is_open(self._config.business_hours, self.zone_of(user_id, session), at)

    def zone_of(self, user_id: str, session: Session | None = None) -> ZoneInfo:
        """The zone a person's hours are judged in: their own, unless the configuration says the team's."""
        retro = self._config.retro
        if self._people is None or (retro is not None and retro.out_of_hours_in == "timezone"):
            return self._config.tz
        return self._people.zone_of(user_id, session) or self._config.tz

    def _begin(self, session: Session, incident: Incident, *, reason: str, requested_by: str | None, urgency: str,
               delay: timedelta, policy: str | None = None, user: str | None = None, cause: str) -> Page:
        now = self._clock.now()
        due = now + delay
        state = PageState.PAGING
        if urgency == "low":
            opening = next_opening(self._config.business_hours, self._config.tz, due)
            if opening > due:
                due, state = opening, PageState.WAITING
        page = Page(incident_id=incident.id, policy=policy, user_id=user, reason=reason, cause=cause,
                    requested_by=requested_by, state=state, level=0, cycle=0, started_at=now, starts_at=due)
        incident.pages.append(page)
        session.flush()
        self._schedule_level(session, incident, page, 0, 0, due, new=True)
        if state == PageState.WAITING:
            local = due.astimezone(self._config.tz)
            incident.log(now, requested_by, "paging_waits",
                         f"Low urgency: paging waits for business hours ({local:%a %H:%M} {self._config.timezone}) "
                         f"unless someone raises the severity ({reason})", {"page": page.id})
        return page

    def _schedule_level(self, session: Session, incident: Incident, page: Page, level: int, cycle: int,
                        due: datetime, new: bool = False) -> None:
        """The page's level ``level`` is due at ``due`` (a ``new`` page's first: no twin can exist)."""
        add = timers.schedule_new if new else timers.schedule
        add(session, PAGE_LEVEL, due, incident_id=incident.id, payload={"page": page.id, "level": level, "cycle": cycle},
            key=f"page:{page.id}:cycle:{cycle}:level:{level}:at:{int(due.timestamp())}")

    def _after_level(self, session: Session, incident: Incident, page: Page, now: datetime, nobody: bool) -> None:
        """Renotify this level until someone acknowledges; move on when its time is up, or at once when the
        level found ``nobody`` to page (its schedules in a gap): waiting would only wait for no one."""
        self._schedule_renotify(session, page, now, key=f"page:{page.id}:renotify:level:{page.level}:{page.cycle}")
        policy = self._policy_of(page)
        if policy is None:
            return
        level = policy.levels[page.level]
        following = _following(policy, page.level, page.cycle)
        if following is None:
            return
        next_level, next_cycle = following
        if nobody:
            gaps = ", ".join(f"`{t.schedule}`" for t in level.notify if t.schedule)
            why = f"{gaps} in a gap" if gaps else "its user groups are empty"
            incident.log(now, None, "escalated",
                         f"No one is on call at level {page.level + 1} of `{page.policy}` ({why}): "
                         f"escalating to level {next_level + 1} now"
                         + (f" instead of after {format_duration(level.escalate_after)}" if level.escalate_after else ""),
                         {"page": page.id, "level": page.level, "cycle": page.cycle})
            self._schedule_level(session, incident, page, next_level, next_cycle, now)
        elif level.escalate_after is not None:
            self._schedule_level(session, incident, page, next_level, next_cycle, now + level.escalate_after)

    def _policy_of(self, page: Page) -> EscalationPolicyConfig | None:
        """The page's policy; None for a page of one person."""
        return self._config.escalation_policies.get(page.policy) if page.policy else None

    def _schedule_renotify(self, session: Session, page: Page, now: datetime, key: str) -> None:
        """The next reminder for the people of the page's current level, if it renotifies at all."""
        policy = self._policy_of(page)
        every = policy.renotify_every if policy else _ONE_PERSON_RENOTIFY
        if every:
            timers.schedule(session, PAGE_RENOTIFY, now + every, incident_id=page.incident_id,
                            payload=_position(page), key=key)

    def _users_of(self, page_id: int, level: int) -> dict[int, list[str]]:
        """Who each target of a level names (by target index), found before any transaction opens:
        the on-call lookup reads the database and user groups are asked of Slack."""
        with self._sessions() as session:
            page = session.get(Page, page_id)
            policy = self._policy_of(page) if page else None
        if policy is None:
            return {}
        now = self._clock.now()
        users = {}
        for index, target in enumerate(policy.levels[level].notify):
            if target.user:
                users[index] = [target.user]
            elif target.usergroup:
                users[index] = self._usergroup(target.usergroup)
            else:
                on_call = self._oncall.on_call(target.schedule, now)
                users[index] = [on_call] if on_call else []  # a gap in the schedule: nobody to page there
        return users

    def _recipients(self, page: Page, level: int, users: dict[int, list[str]]) -> list[Recipient]:
        """Everyone a level names (once each, with the first role a target gives them)."""
        if page.user_id:
            return [Recipient(page.user_id, f"<@{page.user_id}>", None)]
        found: dict[str, Recipient] = {}
        for index, target in enumerate(self._config.escalation_policies[page.policy].levels[level].notify):
            for user in users.get(index, []):
                found.setdefault(user, Recipient(user, _target_name(target), target.role))
        return list(found.values())

    def _usergroup(self, usergroup: str) -> list[str]:
        if self._pager is None:
            return []
        try:
            return self._pager.usergroup_members(usergroup)
        except PageNotDelivered as exc:
            raise TryAgain(f"could not list the members of user group {usergroup}: {exc.reason}") from exc

    def _warn_dnd(self, page_id: int, timer_id: int) -> None:
        """Say in the channel, once per page and person, that Slack will not wake someone it pages now,
        and what else will. Asked of Slack after the page's transaction, so no row waits for it."""
        if self._pager is None:
            return
        with self._sessions() as session:
            users = list(dict.fromkeys(session.scalars(select(PageNotification.user_id).where(
                PageNotification.page_id == page_id, PageNotification.timer_id == timer_id))))
            incident_id = session.scalar(select(Page.incident_id).where(Page.id == page_id))
        for user in users:
            try:
                until = self._pager.dnd_until(user)
            except PageNotDelivered as exc:
                log.warning("INC-%s: could not ask Slack whether %s has Do Not Disturb on: %s", incident_id, user, exc.reason)
                continue
            if until is not None:
                self._say_dnd(incident_id, page_id, user, until)

    def _say_dnd(self, incident_id: int, page_id: int, user: str, until: datetime) -> None:
        now = self._clock.now()
        with changing(self._sessions, incident_id, timeline=False) as incident:
            session = object_session(incident)
            said = session.scalars(select(TimelineEvent.data).where(TimelineEvent.incident_id == incident_id,
                                                                   TimelineEvent.kind == "dnd")).all()
            if {"page": page_id, "user": user} in [{"page": d.get("page"), "user": d.get("user")} for d in said]:
                return
            local = until.astimezone(self._config.tz)
            when = f"{local:%H:%M}" if until - now < timedelta(hours=20) else f"{local:%a %H:%M}"
            methods = list(dict.fromkeys(METHOD_NAMES[method] for method, _ in
                                         (self._steps.reachable_by(user, session) if self._steps else [])))
            if methods:
                also = ", ".join(methods[:-1]) + (" and " if len(methods) > 1 else "") + methods[-1]
                text = f"<@{user}> has Do Not Disturb on until {when}: also paging by {also}"
            else:
                text = (f"<@{user}> has Do Not Disturb on until {when} and no other way to reach them is set up "
                        "(`/incident me`): Slack may not wake them; the escalation runs as configured")
            session.add(TimelineEvent(incident_id=incident_id, at=now, actor=None, kind="dnd", text=text, announce=True,
                                      data={"page": page_id, "user": user, "until": until.isoformat()}))

    def _send(self, page_id: int, timer) -> None:
        """Send the DMs this timer recorded and has not sent yet, and record each outcome.

        A page Slack refuses for now (an outage, a rate limit) is retried with the retry ladder's
        backoff (``TryAgain``) until it goes through or the page is acknowledged; one whose level
        escalated meanwhile still goes, marked late (the person is still paged), unless a later page
        of the same chain reached them first. One Slack can never deliver (the person left) is given
        up and said. When an earlier attempt may have sent it (``timers.may_have_acted``), each page is
        first looked for in the person's DMs, so nobody is paged twice for one notification.
        """
        with self._sessions() as session:
            page = session.scalars(select(Page).where(Page.id == page_id).options(
                selectinload(Page.notifications), selectinload(Page.incident).selectinload(Incident.roles))).one()
            if not page.active:
                return  # acknowledged or over: nobody needs these pages any more
            late = not _current(page, timer.payload)
            pending = [n for n in _notifications_of(page, timer.id) if n.sent_at is None and n.error is None
                       and not _superseded(page, n)]
            incident = page.incident
        outcomes = {notification.id: self._deliver(
            incident, notification, maybe_sent=timers.may_have_acted(timer, notification.failures), late=late)
                    for notification in pending}
        if not outcomes:
            return
        retrying = self._record_outcomes(incident.id, outcomes, late)
        waits = [wait for outcome, _, wait in outcomes.values() if outcome == "waits"]
        if retrying:
            raise TryAgain(f"Slack refused {len(retrying)} page(s) of INC-{incident.id} for now: {', '.join(retrying)}")
        if waits:
            raise TryAgain(f"{len(waits)} page(s) of INC-{incident.id} wait for Slack's rate limit",
                           after=timedelta(seconds=min(waits)), sent_nothing=True)

    def _deliver(self, incident: Incident, notification: PageNotification, maybe_sent: bool,
                 late: bool) -> tuple[str, str | None, float | None]:
        """("sent" | "waits" | "failed" | "given up", reason, seconds to wait) for one page."""
        if self._pager is None:
            return "given up", "Slack is off", None
        try:
            if not (maybe_sent and self._pager.already_sent(incident, notification)):
                self._pager.send(incident, notification, late)
        except PageNotDelivered as exc:
            if exc.wait is not None:
                return "waits", exc.reason, exc.wait
            log.warning("INC-%s: could not page %s: %s", incident.id, notification.user_id, exc.reason)
            return ("given up" if exc.permanent else "failed"), exc.reason, None
        return "sent", None, None

    def _record_outcomes(self, incident_id: int, outcomes: dict[int, tuple[str, str | None, float | None]],
                         late: bool) -> list[str]:
        """Write each page's outcome and what the timeline should say; the reasons of those to retry."""
        now = self._clock.now()
        retrying = []
        with changing(self._sessions, incident_id, timeline=False) as row:
            session = object_session(row)
            for notification_id, (outcome, reason, _) in outcomes.items():
                if outcome == "waits":
                    continue  # not a failure: it goes as soon as Slack's rate limit lets it
                notification = session.get(PageNotification, notification_id)
                who = f"<@{notification.user_id}>"
                if outcome == "sent":
                    notification.sent_at = now
                    if late:
                        row.log(now, None, "page_delivered", f"Paged {who} late: Slack could not take the page "
                                                             "before its level escalated, and they are still paged")
                    elif notification.failures:
                        row.log(now, None, "page_delivered", f"Paged {who} after {notification.failures} failed "
                                                             f"attempt{'s' if notification.failures > 1 else ''}")
                elif outcome == "given up":
                    notification.error = reason
                    row.log(now, None, "page_failed", f"Could not page {who}: {reason}. Not retried: Slack cannot "
                                                      "reach them; page someone else with `/incident page`")
                else:
                    notification.failures += 1
                    retrying.append(f"{notification.user_id} ({reason})")
                    if notification.failures == 1:
                        row.log(now, None, "page_failed", f"Could not page {who} yet: {reason}. Retrying until "
                                                          "Slack takes it")
        return retrying


_ONE_PERSON_RENOTIFY = timedelta(minutes=2)


def _following(policy: EscalationPolicyConfig, level: int, cycle: int) -> tuple[int, int] | None:
    if level + 1 < len(policy.levels):
        return level + 1, cycle
    if cycle < policy.repeat:
        return 0, cycle + 1
    return None


def _position(page: Page) -> dict[str, int]:
    return {"page": page.id, "level": page.level, "cycle": page.cycle}


def _current(page: Page, position: dict[str, int]) -> bool:
    return (position.get("level"), position.get("cycle")) == (page.level, page.cycle)


def _target_name(target: TargetConfig) -> str:
    if target.schedule:
        return f"on call for {target.schedule}"
    if target.usergroup:
        return f"<!subteam^{target.usergroup}>"
    return "named in the policy"


def _unique_users(notifications: list[PageNotification]) -> list[PageNotification]:
    seen: dict[str, PageNotification] = {}
    for notification in notifications:
        seen.setdefault(notification.user_id, notification)
    return list(seen.values())


def _superseded(page: Page, notification: PageNotification) -> bool:
    """Whether a later page of the same chain already reached the person: an older one held up by
    Slack would only repeat it."""
    return any(n.user_id == notification.user_id and n.id > notification.id and n.sent_at is not None
               for n in page.notifications)


def _notifications_of(page: Page, timer_id: int) -> list[PageNotification]:
    return [n for n in page.notifications if n.timer_id == timer_id]


def _locked_page(session: Session, page_id: int) -> Page | None:
    """The page, locked after its incident (``changing``), with its notifications."""
    return session.scalars(select(Page).where(Page.id == page_id).options(selectinload(Page.notifications))
                           .with_for_update(of=Page)).first()


def _latest_policy_page(incident: Incident) -> Page | None:
    pages = [page for page in incident.pages if page.policy]
    return pages[-1] if pages else None
