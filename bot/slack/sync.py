"""Bring Slack in line with the database for one incident, idempotently and durably.

A sync compares the incident's rows with what Slack already has (channel id, topic set,
users invited, summary and announcement ``ts``, events already posted) and does only the
difference. Independent calls run at the same time, so a new incident is ready in three
round trips: create the channel; then topic, invites, summary, announcement together (the
pin follows its summary). A lease on the row keeps two processes from syncing one incident
at once; a failed sync is recorded with a retry time, and the worker retries it from the rows.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.core.people import is_user
from bot.incidents.store import pending_deliveries
from bot.slack import blocks
from bot.slack.gateway import SLACK_FAILURES, SlackGateway, error_code
from bot.slack.naming import channel_name
from models import Delivery, Incident, Page, TimelineEvent

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
THREAD_KINDS = ("update", "severity_changed", "resolved", "reopened")
"""Timeline events that stakeholders also read in the announcement's thread."""
UNREACHABLE_PEOPLE = {"channel_not_found", "is_bot", "messages_tab_disabled"}
"""chat.postMessage answers these for a person who left Slack, a bot, or one who turned DMs off."""
RETRY_STEPS = (timedelta(seconds=15), timedelta(seconds=30), timedelta(minutes=1))


@dataclass
class _Changes:
    """Facts learned from Slack during a pass, written back in one transaction."""

    channel_topic: str | None = None
    invited: list[str] = field(default_factory=list)
    summary_ts: str | None = None
    summary_pinned: bool = False
    announcement: tuple[str, str] | None = None
    posted_events: dict[int, str] = field(default_factory=dict)
    thread_posts: dict[int, str] = field(default_factory=dict)
    delivered: dict[int, tuple[datetime | None, str | None]] = field(default_factory=dict)


def retry_delay(failures: int) -> timedelta:
    return RETRY_STEPS[min(failures, len(RETRY_STEPS)) - 1]


class SlackSync:
    def __init__(self, sessions: sessionmaker[Session], gateway: SlackGateway, config: IncidentConfig,
                 clock: Clock, io: Executor, bot_user_id: str | None = None) -> None:
        self._sessions = sessions
        self._slack = gateway
        self._config = config
        self._clock = clock
        self._io = io
        self.bot_user_id = bot_user_id

    def sync(self, incident_id: int) -> None:
        """Pass until Slack has the newest revision or a step fails; one process at a time.

        A process that finds the lease taken (or nothing to do) stops at once: the holder
        claims again after recording its pass, so a change made meanwhile is not lost.
        """
        while (incident := self._claim(incident_id)) is not None:
            recovering = incident.sync_failures > 0
            changes = _Changes()
            try:
                failures = self._pass(incident, changes)
            except Exception as exc:
                self._record(incident, changes, {"sync": type(exc).__name__})
                raise
            self._record(incident, changes, failures)
            if failures:
                return
            if recovering:
                self._tell_recovered(incident)

    def due(self, limit: int = 50) -> list[int]:
        """Incidents whose Slack side is behind and whose retry time has come."""
        now = self._clock.now()
        with self._sessions() as session:
            return list(session.scalars(
                select(Incident.id)
                .where(Incident.synced_revision < Incident.revision)
                .where(or_(Incident.sync_retry_at.is_(None), Incident.sync_retry_at <= now))
                .where(or_(Incident.sync_lease_until.is_(None), Incident.sync_lease_until < now))
                .order_by(Incident.id).limit(limit)
            ))

    # -- one pass ----------------------------------------------------------------------

    def _pass(self, incident: Incident, changes: _Changes) -> dict[str, str]:
        """Do what Slack lacks; Slack's facts go into ``changes``, its refusals are returned."""
        failures: dict[str, str] = {}
        if incident.channel_id is None:
            try:
                self._create_channel(incident)
            except SLACK_FAILURES as exc:
                failures["create the channel"] = error_code(exc)
                log.warning("INC-%s: channel creation failed: %s", incident.id, error_code(exc))
        steps = {
            "set the channel topic": self._topic,
            "invite people": self._invite,
            "post and pin the summary": self._summary,
            "announce the incident": self._announce,
            "post timeline events": self._events,
            "send direct messages": self._deliver,
        }
        if incident.channel_id is None:
            steps = {"announce the incident": self._announce, "send direct messages": self._deliver}
        futures = {name: self._io.submit(step, incident, changes) for name, step in steps.items()}
        for name, future in futures.items():
            try:
                future.result()
            except SLACK_FAILURES as exc:
                failures[name] = error_code(exc)
                log.warning("INC-%s: could not %s: %s", incident.id, name, error_code(exc))
        return failures

    def _create_channel(self, incident: Incident) -> None:
        prefix = self._config.slack.channel_prefix
        channel_id, name = self._slack.create_public_channel(
            lambda attempt: channel_name(prefix, incident.id, incident.title, attempt))
        with self._sessions() as session, session.begin():
            session.execute(update(Incident).where(Incident.id == incident.id)
                            .values(channel_id=channel_id, channel_name=name))
        incident.channel_id, incident.channel_name = channel_id, name

    def _topic(self, incident: Incident, changes: _Changes) -> None:
        topic = blocks.channel_topic(incident, self._config)
        if topic != incident.channel_topic:
            self._slack.set_topic(incident.channel_id, topic)
            changes.channel_topic = topic

    def _invite(self, incident: Incident, changes: _Changes) -> None:
        wanted = {incident.declared_by, incident.acknowledged_by} | {a.user_id for a in incident.roles if a.ended_at is None}
        wanted |= {page.acknowledged_by for page in incident.pages}
        wanted = {user for user in wanted if is_user(user)}
        missing = sorted(wanted - set(incident.invited_users) - {self.bot_user_id})
        if missing:
            self._slack.invite(incident.channel_id, missing)
            changes.invited = missing

    def _summary(self, incident: Incident, changes: _Changes) -> None:
        message = blocks.summary_message(incident, self._config)
        ts = incident.summary_ts
        if ts is None:
            _, ts = self._slack.post(incident.channel_id, message)
            changes.summary_ts = ts
        else:
            self._slack.update(incident.channel_id, ts, message)
        if not incident.summary_pinned:
            self._slack.pin(incident.channel_id, ts)
            changes.summary_pinned = True

    def _announce(self, incident: Incident, changes: _Changes) -> None:
        """Post or update the announcement, then say in its thread what stakeholders follow there."""
        message = blocks.announcement_message(incident, self._config)
        if incident.announcement_ts is None:
            changes.announcement = self._slack.post(channel_ref(self._config.slack.announce_channel), message)
            channel, thread = changes.announcement
        else:
            self._slack.update(incident.announcement_channel_id, incident.announcement_ts, message)
            channel, thread = incident.announcement_channel_id, incident.announcement_ts
        for event in incident.events:
            if event.kind in THREAD_KINDS and event.thread_ts is None:
                _, ts = self._slack.post(channel, blocks.event_message(event, incident, self._config), thread_ts=thread)
                changes.thread_posts[event.id] = ts

    def _deliver(self, incident: Incident, changes: _Changes) -> None:
        """The DMs owed (updates to subscribers, role checklists...). A person Slack will not reach
        (they left, or are a bot) is skipped and the reason kept; anything else is retried."""
        for delivery in pending_deliveries(incident):
            message = blocks.delivery_message(delivery, incident, self._config)
            try:
                for person in self._people(delivery.user_id):
                    self._slack.dm(person, message)
            except SlackApiError as exc:
                if error_code(exc) not in UNREACHABLE_PEOPLE:
                    raise
                log.warning("INC-%s: skipped a DM to %s: %s", incident.id, delivery.user_id, error_code(exc))
                changes.delivered[delivery.id] = (None, f"Slack cannot reach them: {error_code(exc)}")
                continue
            changes.delivered[delivery.id] = (self._clock.now(), None)

    def _people(self, user_or_group: str) -> list[str]:
        if user_or_group.startswith("S"):
            return self._slack.usergroup_members(user_or_group)
        return [user_or_group]

    def _events(self, incident: Incident, changes: _Changes) -> None:
        for event in incident.events:
            if event.announce and event.channel_ts is None:
                _, ts = self._slack.post(incident.channel_id, blocks.event_message(event, incident, self._config))
                changes.posted_events[event.id] = ts

    # -- bookkeeping -------------------------------------------------------------------

    def _claim(self, incident_id: int) -> Incident | None:
        """Take the lease if Slack is behind and nobody holds it; the incident as it is now."""
        now = self._clock.now()
        with self._sessions() as session, session.begin():
            claimed = session.execute(
                update(Incident)
                .where(Incident.id == incident_id, Incident.synced_revision < Incident.revision)
                .where(or_(Incident.sync_lease_until.is_(None), Incident.sync_lease_until < now))
                .values(sync_lease_until=now + LEASE)
            ).rowcount
            if not claimed:
                return None
            return session.get(Incident, incident_id, options=_FOR_SYNC, populate_existing=True)

    def _record(self, seen: Incident, changes: _Changes, failures: dict[str, str]) -> None:
        """Write what Slack now has and how the pass ended, and give the lease back: one transaction."""
        with self._sessions() as session, session.begin():
            incident = session.get(Incident, seen.id, with_for_update=True, populate_existing=True)
            if changes.channel_topic is not None:
                incident.channel_topic = changes.channel_topic
            if changes.invited:
                incident.invited_users = sorted(set(incident.invited_users) | set(changes.invited))
            if changes.summary_ts is not None:
                incident.summary_ts = changes.summary_ts
            incident.summary_pinned = incident.summary_pinned or changes.summary_pinned
            if changes.announcement is not None:
                incident.announcement_channel_id, incident.announcement_ts = changes.announcement
            for event_id, ts in changes.posted_events.items():
                session.get(TimelineEvent, event_id).channel_ts = ts
            for event_id, ts in changes.thread_posts.items():
                session.get(TimelineEvent, event_id).thread_ts = ts
            for delivery_id, (sent_at, skipped) in changes.delivered.items():
                delivery = session.get(Delivery, delivery_id)
                delivery.sent_at, delivery.skipped = sent_at, skipped
            if failures:
                incident.sync_failures += 1
                incident.sync_error = "; ".join(f"could not {step}: {code}" for step, code in failures.items())
                incident.sync_retry_at = self._clock.now() + retry_delay(incident.sync_failures)
            else:
                incident.synced_revision = max(incident.synced_revision, seen.revision)
                incident.sync_failures, incident.sync_error, incident.sync_retry_at = 0, None, None
            incident.sync_lease_until = None

    def _tell_recovered(self, incident: Incident) -> None:
        message = blocks.Message(text=f"Slack is answering again: {incident.number} is ready in <#{incident.channel_id}>.")
        try:
            self._slack.dm(incident.declared_by, message)
        except SLACK_FAILURES as exc:
            log.warning("INC-%s: could not tell %s that Slack recovered: %s", incident.id, incident.declared_by,
                        error_code(exc))


_FOR_SYNC = (
    selectinload(Incident.roles),
    selectinload(Incident.events.and_(or_(
        and_(TimelineEvent.announce, TimelineEvent.channel_ts.is_(None)),
        and_(TimelineEvent.kind.in_(THREAD_KINDS), TimelineEvent.thread_ts.is_(None))))),
    selectinload(Incident.pages).selectinload(Page.notifications),
    selectinload(Incident.deliveries.and_(Delivery.sent_at.is_(None), Delivery.skipped.is_(None)))
    .selectinload(Delivery.event),
    selectinload(Incident.subscriptions),
)
"""What rendering needs; of the timeline, only the events still to be posted."""


def channel_ref(channel: str) -> str:
    """A configured channel may be an id (``C0123``) or a name; ``chat.postMessage`` takes ``#name``."""
    if channel.startswith("#") or (channel[:1] in "CG" and channel[1:].isalnum() and channel[1:].isupper()):
        return channel
    return f"#{channel}"

