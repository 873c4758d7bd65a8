"""Bring Slack in line with the database for one incident, idempotently and durably.

A sync compares the incident's rows with what Slack already has (channel id, topic set,
users invited, summary and announcement ``ts``, events already posted, DMs sent) and does only
the difference. Independent steps run at the same time, so a new incident is ready in three
round trips: create the channel; then topic, invites, summary, announcement together (the pin
follows its summary).

Nothing is done twice:
- each post is recorded the moment Slack answers, so one step's failure never makes a retry
  repeat what another step already did;
- each post carries a key in its metadata; a pass that follows a failed or abandoned one (the
  answer may have been lost, or the process died between a post and its record) first looks for
  its keyed posts with ``conversations.history`` and adopts them instead of posting again;
- a channel name that turns out taken is checked: the channel the bot itself created for this
  incident (Slack created it, the answer was lost, a retry asked again) is adopted, not left an
  empty orphan beside a ``-2``.
One process syncs an incident at a time, under a short lease renewed while it works
(``bot.jobs.leases``); a failed pass is recorded with a retry time and the worker retries it.
An alert's incident stays quiet (no channel, no announcement) until its grace period is over and
the alert still fires, so a transient alert leaves nothing behind in Slack but its record.
Once its report is asked for, each pass also brings the channel's report canvas (or Markdown file)
in line (``bot.slack.canvas``).

Slack's rate limits (``bot.slack.budget``): the summary and the announcement are updated only
when their render differs from what Slack shows (``bot.slack.shown``), the summary through the
response URL of a button pressed on it when there is one (no Tier 3 call); each step is ranked (a new
incident's channel, summary and announcement first, then changes people act on, last topics,
timeline posts and canvases; the oldest incident first within a rank); a step over its method's
budget waits alone, never holding back a step of another method, and the pass comes back when the
first waiting step can go (``sync_retry_at``). What waits is in the rows, so nothing is dropped.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy import Table, Update, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.core import drills
from bot.core.clock import Clock
from bot.core.loading import IncidentParts, Part
from bot.core.people import is_user
from bot.core.transactions import statement_alone
from bot.jobs.leases import Claimable, LeaseKeeper
from bot.jobs.retry import retry_delay
from bot.slack import blocks
from bot.slack.budget import OverBudget, Priority, ranked
from bot.slack.canvas import ReportPublisher
from bot.slack.gateway import SLACK_FAILURES, SlackGateway, error_code
from bot.slack.naming import channel_name
from bot.slack.pager import UNREACHABLE_PEOPLE
from bot.slack.shown import shown, update_priority
from models import Delivery, Incident, Page, TimelineEvent

log = logging.getLogger(__name__)

RECOVERED = "slack_recovered"
"""The delivery kind of the DM telling a declarer that Slack answers again."""
THREAD_KINDS = ("update", "severity_changed", "resolved", "reopened")
"""Timeline events that stakeholders also read in the announcement's thread."""
MAX_NAME_ATTEMPTS = 20
SYNC_CLAIM = Claimable(Incident.__table__, Incident.__table__.c.sync_owner, Incident.__table__.c.sync_lease_until)
CLOCK_SKEW = timedelta(minutes=1)
"""A channel the bot created before the incident was declared (give or take this) is not the incident's."""


class SlackSync:
    def __init__(self, sessions: sessionmaker[Session], gateway: SlackGateway, rendering: blocks.Rendering,
                 clock: Clock, io: Executor, leases: LeaseKeeper, publisher: ReportPublisher | None = None) -> None:
        self.publisher = publisher  # the report's canvas (or file), a step of each pass
        self._sessions = sessions
        self._engine = sessions.kw["bind"]
        self._slack = gateway
        self._rendering = rendering
        self._config = rendering.config
        self._clock = clock
        self._io = io
        self._leases = leases

    def sync(self, incident_id: int) -> float | None:
        """Pass until Slack has the newest revision or a step fails; one process at a time. The
        seconds to wait when Slack's rate limit stopped a step (the rows say when to go on too).

        A process that finds the lease taken (or nothing to do) stops at once: the holder
        claims again after recording its pass, so a change made meanwhile is not lost, nor left
        waiting behind a step that waits for the budget (the next pass does it at once).
        """
        wait = None
        while (claimed := self._claim(incident_id)) is not None:
            incident, recovering = claimed
            with self._leases.holding(SYNC_CLAIM, incident_id):
                done = _Pass(self, incident, recovering)
                failures = done.run()
            self._finish(incident, failures, done.wait)
            if failures and incident.synced_revision == 0 and not incident.sync_failures:
                self._tell_failed(incident, failures)
            if failures:
                return done.wait or None
            if done.wait:
                wait = done.wait
                if not self._changed_since(incident):
                    return wait
                continue
            wait = None
            if incident.sync_failures:
                self._owe_recovered(incident)
        return wait

    def _changed_since(self, seen: Incident) -> bool:
        """Whether the incident changed while a pass over ``seen`` ran."""
        with self._sessions() as session:
            return session.scalar(select(Incident.revision).where(Incident.id == seen.id)) > seen.revision

    def due(self, limit: int = 50) -> list[int]:
        """Incidents whose Slack side is behind and whose retry time has come."""
        now = self._clock.now()
        with self._sessions() as session:
            return list(session.scalars(
                select(Incident.id)
                .where(Incident.synced_revision < Incident.revision)
                .where(or_(Incident.quiet_until.is_(None), Incident.quiet_until <= now))
                .where(or_(Incident.sync_retry_at.is_(None), Incident.sync_retry_at <= now))
                .where(or_(Incident.sync_lease_until.is_(None), Incident.sync_lease_until < now))
                .order_by(Incident.id).limit(limit)
            ))

    # -- claims --------------------------------------------------------------------------

    def _claim(self, incident_id: int) -> tuple[Incident, bool] | None:
        """Take the lease if Slack is behind and nobody holds it: the incident as it is now, and whether
        an earlier pass may have left posts unrecorded (it failed, or its process died mid-pass)."""
        now = self._clock.now()
        with self._sessions() as session, session.begin():
            row = session.execute(
                select(Incident.sync_owner, Incident.sync_failures).where(
                    Incident.id == incident_id, Incident.synced_revision < Incident.revision,
                    or_(Incident.quiet_until.is_(None), Incident.quiet_until <= now),
                    or_(Incident.sync_lease_until.is_(None), Incident.sync_lease_until < now))
                .with_for_update()
            ).first()
            if row is None:
                return None
            recovering = row.sync_owner is not None or row.sync_failures > 0
            session.execute(update(Incident).where(Incident.id == incident_id)
                            .values(sync_owner=self._leases.owner, sync_lease_until=self._leases.until()))
            incident = _FOR_SYNC.read(session, incident_id, refresh=True)
        return incident, recovering

    def _finish(self, seen: Incident, failures: dict[str, str], wait: float = 0.0) -> None:
        """Say how the pass ended and give the lease back, if it is still ours (fenced on the owner).
        A pass that only waits for Slack's rate limit (``wait``) is no failure: it goes on then."""
        values: dict = {"sync_owner": None, "sync_lease_until": None}
        now = self._clock.now()
        if failures:
            count = seen.sync_failures + 1
            values.update(sync_failures=count, sync_retry_at=max(now + retry_delay(count), now + timedelta(seconds=wait)),
                          sync_error="; ".join(f"could not {step}: {code}" for step, code in failures.items()))
        elif wait:
            values.update(sync_retry_at=now + timedelta(seconds=math.ceil(wait)))
        else:
            values.update(synced_revision=seen.revision, sync_failures=0, sync_error=None, sync_retry_at=None)
        done = statement_alone(self._engine, update(Incident).where(Incident.id == seen.id,
                                                                    Incident.sync_owner == self._leases.owner)
                               .values(values))
        if not done:
            log.warning("INC-%s: the sync lease was taken over before this pass finished", seen.id)

    def record(self, table, row_id: int, **values) -> None:
        """Write what Slack now has, at once; a ts already recorded (by a pass that took over) stays."""
        statement_alone(self._engine, _recording(table, tuple(values)),
                        {"row_id": row_id, **{f"new_{name}": value for name, value in values.items()}})

    def _tell_failed(self, incident: Incident, failures: dict[str, str]) -> None:
        """A new incident's first pass failed: its declarer hears what failed and what comes next,
        where they declared it (the response URL), once."""
        if not incident.reply_to:
            return
        message = blocks.setup_failed_message(incident, "; ".join(f"could not {step}: {code}"
                                                                for step, code in failures.items()))
        try:
            self._slack.respond(incident.reply_to, message)
        except SLACK_FAILURES as exc:
            log.warning("INC-%s: could not tell the declarer that Slack failed: %s", incident.id, error_code(exc))

    def _owe_recovered(self, incident: Incident) -> None:
        """Slack answers again after failed passes: the declarer is owed a DM saying so, a delivery row
        (sent by the next pass, within the budget, retried like any DM owed)."""
        with self._sessions() as session, session.begin():
            session.add(Delivery(incident_id=incident.id, user_id=incident.declared_by, kind=RECOVERED,
                                 created_at=self._clock.now()))


class _Pass:
    """One pass over one incident: each step does what Slack lacks and records it as it goes."""

    def __init__(self, sync: SlackSync, incident: Incident, recovering: bool) -> None:
        self.sync = sync
        self.slack = sync._slack
        self.rendering = sync._rendering
        self.incident = incident
        self.recovering = recovering
        self._found: dict[tuple[str, str | None], dict[str, str]] = {}
        self._waits = threading.Lock()
        self.wait = 0.0  # seconds until the first step that Slack's rate limit held back can go on

    def run(self) -> dict[str, str]:
        """Every step runs to its end, whatever another step did; the failures by step.

        Steps of different methods run at the same time, each in a thread, each waiting only for its
        own budget; the steps of one thread follow one another (the pin follows its post)."""
        failures: dict[str, str] = {}
        incident = self.incident
        if incident.transient and incident.channel_id is None and incident.announcement_ts is None:
            return failures  # an alert that resolved itself in its grace period: nobody heard of it, nothing to show
        recorded = None
        if incident.channel_id is None:
            self._step("create the channel", self._create_channel, failures)
            if incident.channel_id is not None:  # recorded while the steps that need it start
                recorded = self.sync._io.submit(self._step, "create the channel", self._record_channel, failures)
        threads: list[list[tuple[str, Callable[[], None]]]] = [
            [("announce the incident", self._announce), ("post in the announcement thread", self._thread)],
            [("send direct messages", self._deliver)]]
        if incident.channel_id is not None:
            threads += [[("set the channel topic", self._topic)], [("invite people", self._invite)],
                        [("post and pin the summary", self._summary), ("post and pin the summary", self._pin)],
                        [("post timeline events", self._events)]]
            if self.sync.publisher is not None:
                threads.append([("publish the report", self._publish)])
        futures = [self.sync._io.submit(self._steps, steps, failures) for steps in threads]
        for future in futures:
            future.result()
        if recorded is not None:
            recorded.result()
        return failures

    def _steps(self, steps: list[tuple[str, Callable[[], None]]], failures: dict[str, str]) -> None:
        for name, step in steps:
            if name not in failures:
                self._step(name, step, failures)

    def _step(self, name: str, step: Callable[[], None], failures: dict[str, str]) -> None:
        try:
            step()
        except OverBudget as exc:
            self._defer(name, exc)
        except SLACK_FAILURES as exc:
            failures[name] = error_code(exc)
            log.warning("INC-%s: could not %s: %s", self.incident.id, name, error_code(exc))
        except Exception as exc:  # our bug: keep the other steps and the record, say so, retry later
            failures[name] = f"internal error ({type(exc).__name__})"
            log.exception("INC-%s: could not %s", self.incident.id, name)

    def _defer(self, name: str, exc: OverBudget) -> None:
        """A call Slack's budget cannot afford now waits in the rows: the pass comes back when the first
        waiting one can go (the others, still short, wait again at no cost)."""
        with self._waits:
            self.wait = min(self.wait, exc.wait) if self.wait else exc.wait
        log.info("INC-%s: %s waits %.1fs for Slack's rate limit (%s)", self.incident.id, name, exc.wait, exc.method)

    def _as(self, priority: Priority):
        """The Slack calls inside are spent as ``priority``, the oldest incident first."""
        return ranked(priority, self.incident.id)

    # -- finding what an earlier pass posted ------------------------------------------------

    def _posted(self, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        """In a recovering pass, the ts of the keyed post an earlier pass made, if Slack has it."""
        if not self.recovering:
            return None
        if (channel, thread_ts) not in self._found:
            self._found[(channel, thread_ts)] = self.slack.find_posts(self.slack.channel_id(channel), thread_ts)
        return self._found[(channel, thread_ts)].get(self._key(key))

    def _post(self, channel: str, message: blocks.Message, key: str, thread_ts: str | None = None) -> tuple[str, str]:
        found = self._posted(channel, key, thread_ts)
        if found is not None:
            log.info("INC-%s: found %s posted by an earlier pass; not posting it again", self.incident.id, key)
            return self.slack.channel_id(channel), found
        return self.slack.post(channel, message, thread_ts=thread_ts, key=self._key(key))

    def _key(self, what: str) -> str:
        return f"{self.incident.id}:{what}"

    # -- steps ------------------------------------------------------------------------------

    def _record_channel(self) -> None:
        self.sync.record(Incident.__table__, self.incident.id, channel_id=self.incident.channel_id,
                         channel_name=self.incident.channel_name)

    def _create_channel(self) -> None:
        with self._as(Priority.NEW):
            self._create()

    def _create(self) -> None:
        incident = self.incident
        prefix = drills.CHANNEL_PREFIX if incident.drill else self.sync._config.slack.channel_prefix
        for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
            name = channel_name(prefix, incident.id, incident.title, attempt)
            try:
                channel_id, name = self.slack.create_public_channel(name)
            except SlackApiError as exc:
                if error_code(exc) != "name_taken":
                    raise
                adopted = self._own_channel(name)
                if adopted is None:
                    continue
                channel_id = adopted
                log.info("INC-%s: adopted #%s, created by an earlier attempt whose answer was lost", incident.id, name)
            incident.channel_id, incident.channel_name = channel_id, name
            return
        raise RuntimeError(f"{MAX_NAME_ATTEMPTS} channel names like {channel_name(prefix, incident.id, incident.title)!r} "
                           "are all taken")

    def _own_channel(self, name: str) -> str | None:
        """The id of the taken channel ``name`` if the bot created it for this incident (recently, and
        no other incident holds it), else None."""
        found = self.slack.find_public_channel(name)
        if not found or found.get("creator") != self.slack.bot_user_id:
            return None
        if found.get("created", 0) < (self.incident.declared_at - CLOCK_SKEW).timestamp():
            return None
        with self.sync._sessions() as session:
            held = session.scalar(select(Incident.id).where(Incident.channel_id == found["id"]))
        return found["id"] if held is None else None

    def _topic(self) -> None:
        topic = blocks.channel_topic(self.incident, self.rendering)
        if topic != self.incident.channel_topic:
            with self._as(Priority.LATER):
                self.slack.set_topic(self.incident.channel_id, topic)
            self.sync.record(Incident.__table__, self.incident.id, channel_topic=topic)

    def _invite(self) -> None:
        incident = self.incident
        wanted = {incident.declared_by, incident.acknowledged_by} | {a.user_id for a in incident.roles if a.ended_at is None}
        wanted |= {page.acknowledged_by for page in incident.pages}
        wanted = {user for user in wanted if is_user(user)}
        missing = sorted(wanted - set(incident.invited_users) - {self.slack.known_bot_user_id})
        if missing:
            with self._as(Priority.NEW if incident.summary_ts is None else Priority.CHANGE):
                self.slack.invite(incident.channel_id, missing)
            self.sync.record(Incident.__table__, incident.id, invited_users=sorted(set(incident.invited_users) | set(missing)))

    def _summary(self) -> None:
        """Post the summary, or update it if Slack shows something else."""
        incident = self.incident
        message = blocks.summary_message(incident, self.rendering)
        digest = shown(incident, message)
        if incident.summary_ts is None:
            with self._as(Priority.NEW):
                _, ts = self._post(incident.channel_id, message, "summary")
                pinned = False
                try:  # pinned before it is recorded: the pin is the last round trip of a new incident
                    self.slack.pin(incident.channel_id, ts)
                    pinned = True
                finally:
                    self.sync.record(Incident.__table__, incident.id, summary_ts=ts, summary_shown=self._fresh(digest),
                                     **({"summary_pinned": True} if pinned else {}))
            incident.summary_ts, incident.summary_pinned = ts, pinned
        elif (priority := update_priority(incident.summary_shown, digest)) is not None:
            if not self._replace_summary(message):
                with self._as(priority):
                    self.slack.update(incident.channel_id, incident.summary_ts, message)
            self.sync.record(Incident.__table__, incident.id, summary_shown=digest)

    def _replace_summary(self, message: blocks.Message) -> bool:
        """Replace the summary through the response URL of a button pressed on it, if one is fresh: the change
        that button made costs no ``chat.update``. The URL is used once, given up before it is (a pass that
        dies meanwhile leaves the summary to ``chat.update``); whether Slack took the message."""
        incident = self.incident
        url, until = incident.summary_reply_url, incident.summary_reply_until
        if url is None or until is None or until <= self.sync._clock.now():
            return False
        with self.sync._sessions() as session, session.begin():
            session.execute(update(Incident).where(Incident.id == incident.id, Incident.summary_reply_url == url)
                            .values(summary_reply_url=None, summary_reply_until=None))
        try:
            if self.slack.replace(url, message):
                return True
        except OSError as exc:
            log.info("INC-%s: could not replace the summary through a button's response URL (%s); "
                     "chat.update instead", incident.id, exc)
        return False

    def _pin(self) -> None:
        incident = self.incident
        if incident.summary_ts is not None and not incident.summary_pinned:
            with self._as(Priority.NEW):
                self.slack.pin(incident.channel_id, incident.summary_ts)
            self.sync.record(Incident.__table__, incident.id, summary_pinned=True)

    def _announce(self) -> None:
        """Post the announcement, or update it if Slack shows something else."""
        incident = self.incident
        message = blocks.announcement_message(incident, self.rendering)
        digest = shown(incident, message)
        if incident.announcement_ts is None:
            with self._as(Priority.NEW):
                channel, ts = self._post(channel_ref(self.sync._config.slack.announce_channel), message, "announcement")
            self.sync.record(Incident.__table__, incident.id, announcement_channel_id=channel, announcement_ts=ts,
                             announcement_shown=self._fresh(digest))
            incident.announcement_channel_id, incident.announcement_ts = channel, ts
        elif (priority := update_priority(incident.announcement_shown, digest)) is not None:
            with self._as(priority):
                self.slack.update(incident.announcement_channel_id, incident.announcement_ts, message)
            self.sync.record(Incident.__table__, incident.id, announcement_shown=digest)

    def _fresh(self, digest: str) -> str | None:
        """What a post shows: ``digest``, unless the post may be one an earlier pass made (then unknown,
        and the next pass updates it once)."""
        return None if self.recovering else digest

    def _thread(self) -> None:
        """Say in the announcement's thread what stakeholders follow there (updates, severity, resolution)."""
        incident = self.incident
        if incident.announcement_ts is None:
            return
        for event in incident.events:
            if event.kind in THREAD_KINDS and event.thread_ts is None:
                with self._as(Priority.CHANGE):
                    _, ts = self._post(incident.announcement_channel_id,
                                       blocks.event_message(event, incident, self.rendering, thread=True),
                                       f"thread:{event.id}", thread_ts=incident.announcement_ts)
                self.sync.record(TimelineEvent.__table__, event.id, thread_ts=ts)

    def _publish(self) -> None:
        with self._as(Priority.LATER):
            self.sync.publisher.publish(self.incident)

    def _events(self) -> None:
        incident = self.incident
        for event in incident.events:
            if event.announce and event.channel_ts is None:
                with self._as(Priority.LATER):
                    _, ts = self._post(incident.channel_id, blocks.event_message(event, incident, self.rendering),
                                       f"event:{event.id}")
                self.sync.record(TimelineEvent.__table__, event.id, channel_ts=ts)

    def _deliver(self) -> None:
        """The DMs owed (updates to subscribers, role checklists...). A person Slack will not reach
        (they left, or are a bot) is skipped and the reason kept; anything else is retried. Each goes to a
        conversation of its own: one over the budget waits alone."""
        incident = self.incident
        for delivery in incident.deliveries:
            message = blocks.delivery_message(delivery, incident, self.rendering)
            try:
                with self._as(Priority.CHANGE):
                    for person in self._people(delivery.user_id):
                        self._dm(person, message, f"delivery:{delivery.id}:{person}")
            except OverBudget as exc:
                self._defer("send a direct message", exc)
                continue
            except SlackApiError as exc:
                if error_code(exc) not in UNREACHABLE_PEOPLE:
                    raise
                log.warning("INC-%s: skipped a DM to %s: %s", incident.id, delivery.user_id, error_code(exc))
                self.sync.record(Delivery.__table__, delivery.id, skipped=f"Slack cannot reach them: {error_code(exc)}")
                continue
            self.sync.record(Delivery.__table__, delivery.id, sent_at=self.sync._clock.now())

    def _dm(self, user: str, message: blocks.Message, key: str) -> None:
        if self.recovering and self._posted(self.slack.dm_channel(user), key) is not None:
            return
        self.slack.dm(user, message, key=self._key(key))

    def _people(self, user_or_group: str) -> list[str]:
        if user_or_group.startswith("S"):
            return self.slack.usergroup_members(user_or_group)
        return [user_or_group]


_RECORDINGS: dict[tuple[str, tuple[str, ...]], Update] = {}


def _recording(table: Table, names: tuple[str, ...]) -> Update:
    """The UPDATE that records ``names`` on one row of ``table`` (``:row_id``, ``:new_<name>``), built
    once per table and names (six kinds a declare): a ``ts``, a channel id or a DM's ``sent_at``
    already there stays, written by a pass that took over."""
    key = (table.name, names)
    if key not in _RECORDINGS:
        statement = update(table).where(table.primary_key.columns.values()[0] == bindparam("row_id"))
        for name in names:
            if name.endswith("_ts") or name in ("channel_id", "sent_at"):
                statement = statement.where(table.c[name].is_(None))
        _RECORDINGS[key] = statement.values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in names})
    return _RECORDINGS[key]


_FOR_SYNC = IncidentParts(
    Part(Incident.roles),
    Part(Incident.events, where=(or_(
        and_(TimelineEvent.announce, TimelineEvent.channel_ts.is_(None)),
        and_(TimelineEvent.kind.in_(THREAD_KINDS), TimelineEvent.thread_ts.is_(None))),)),
    Part(Incident.pages, parts=(Part(Page.notifications),)),
    Part(Incident.deliveries, where=(Delivery.sent_at.is_(None), Delivery.skipped.is_(None)),
         parts=(Part(Delivery.event), Part(Delivery.action_item))),
    Part(Incident.subscriptions),
    Part(Incident.report),  # whether the pass publishes it (the canvas step)
)
"""What rendering needs; of the timeline, only the events still to be posted; of the DMs, those owed."""


def channel_ref(channel: str) -> str:
    """A configured channel may be an id (``C0123``) or a name; ``chat.postMessage`` takes ``#name``."""
    if channel.startswith("#") or (channel[:1] in "CG" and channel[1:].isalnum() and channel[1:].isupper()):
        return channel
    return f"#{channel}"

