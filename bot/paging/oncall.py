"""The on-call service: who is on call, overrides, and handoffs to announce exactly once.

Rotations come from the configuration and are computed by ``bot.rotation`` (whose docstring
says how shifts, daylight-saving changes and overrides work); only overrides and the record
of announced handoffs are in the database. Each public method is one unit of work with one
session; it never talks to Slack. Rendering is elsewhere: these methods return plain values.

The handoff job (wired elsewhere) runs, on every tick::

    for schedule, duty in oncall.due_handoffs(now):
        if oncall.claim_handoff(schedule, duty):
            ...DM duty.user, post in the schedule's channel...

``claim_handoff`` inserts the ``HandoffNotice`` row if absent; only the worker whose insert went
in announces, so a handoff is announced once across restarts and several workers (at most once:
a DM that fails after the claim is not retried).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig, ScheduleConfig
from bot.core.clock import Clock
from bot.core.durations import format_duration
from bot.core.errors import UserError
from bot.paging import rotation
from bot.paging.rotation import Duty, OverrideSpan
from models.oncall import HandoffNotice, Override

ONCALL_USAGE = "/incident oncall [schedule]"
OVERRIDE_USAGE = "/incident oncall override @user <4h|until fri 18:00> [schedule]"

MAX_OVERRIDE = timedelta(days=14)
"""The longest override; a longer absence is a change of the rotation in the configuration."""

HANDOFF_CATCH_UP = timedelta(hours=6)
"""A handoff still unannounced this long after it happened (workers down) is announced late;
an older one is not (its person has long been on call). Only the current duty is ever announced."""

_HOW_TO_CONFIGURE = (
    'add one under the key `schedules` in incidents.yaml, such as `schedules: {primary: {rotation: weekly, '
    'handoff: "mon 09:00", members: [U01ABCDEF, U02GHIJKL]}}`'
)


@dataclass(frozen=True)
class OnCallStatus:
    """What ``/incident oncall`` shows for one schedule, at ``at``."""

    schedule: str
    at: datetime
    now: Duty  # who is on call, since (start) and until (end) when
    next: Duty | None  # who takes over at now.end; None when nobody else ever does
    overrides: list[OverrideSpan]  # in force at ``at`` or later, by start


class OnCallService:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock

    # -- reading -----------------------------------------------------------------------

    def schedule_name(self, name: str | None, usage: str = ONCALL_USAGE) -> str:
        """The configured schedule called ``name`` (any case), or the only one when ``name`` is None."""
        names = list(self._config.schedules)
        if not names:
            raise UserError(f"No on-call schedule is configured; {_HOW_TO_CONFIGURE}.")
        if name is None:
            if len(names) == 1:
                return names[0]
            raise UserError(f"There are {len(names)} on-call schedules: {', '.join(names)}. Name one.", usage=usage)
        key = name.strip().lower()
        if key not in self._config.schedules:
            raise UserError(f"Unknown schedule `{name}`; the schedules are {', '.join(names)}.", usage=usage)
        return key

    def who(self, schedule_name: str | None = None) -> OnCallStatus:
        name = self.schedule_name(schedule_name)
        schedule = self._config.schedules[name]
        at = self._clock.now()
        with self._sessions() as session:
            spans = self._spans(session, at, [name])[name]
        current = rotation.on_call(schedule, self._config.tz, spans, at)
        following = rotation.next_duty(schedule, self._config.tz, spans, at)
        upcoming = sorted((span for span in spans if span.end > at), key=lambda span: (span.start, span.created))
        return OnCallStatus(schedule=name, at=at, now=current, next=following, overrides=upcoming)

    def on_call(self, schedule_name: str, at: datetime | None = None) -> str:
        """The user on call in ``schedule_name`` at ``at`` (now by default), overrides applied."""
        name = self.schedule_name(schedule_name)
        at = at or self._clock.now()
        with self._sessions() as session:
            spans = self._spans(session, at, [name])[name]
        return rotation.on_call(self._config.schedules[name], self._config.tz, spans, at).user

    # -- overrides ---------------------------------------------------------------------

    def add_override(self, schedule_name: str | None, user: str, actor: str,
                     duration: timedelta | None = None, until: datetime | None = None) -> Override:
        """``user`` is on call from now for ``duration``, or until ``until`` (aware); exactly one of the two."""
        if (duration is None) == (until is None):
            raise ValueError("add_override takes exactly one of duration and until")
        name = self.schedule_name(schedule_name, usage=OVERRIDE_USAGE)
        created = self._clock.now()
        start = created.replace(microsecond=0)
        end = start + duration if duration is not None else until
        if end.tzinfo is None:
            raise ValueError(f"naive datetime {end!r}: pass an aware datetime")
        end = end.astimezone(timezone.utc)
        if end <= start:
            raise UserError(
                f"That override would end {self._show(end)}, which is already past; give a later end, "
                "such as a duration (4h) or a later day and time (until tomorrow 09:00).",
                usage=OVERRIDE_USAGE,
            )
        if end - start > MAX_OVERRIDE:
            raise UserError(
                f"An override lasts at most {format_duration(MAX_OVERRIDE)}, so this one could end "
                f"{self._show(start + MAX_OVERRIDE)} at the latest, not {self._show(end)}. Give a shorter one, add another "
                f"when it ends, or change the rotation under `schedules.{name}` in incidents.yaml.",
                usage=OVERRIDE_USAGE,
            )
        with self._sessions() as session, session.begin():
            override = Override(schedule=name, user_id=user, starts_at=start, ends_at=end,
                                created_by=actor, created_at=created)
            session.add(override)
        return override

    # -- handoffs ----------------------------------------------------------------------

    def due_handoffs(self, now: datetime | None = None,
                     catch_up: timedelta = HANDOFF_CATCH_UP) -> list[tuple[str, Duty]]:
        """For each schedule, the duty in force at ``now`` if it began by a handoff in
        ``(now - catch_up, now]`` that has not been claimed yet."""
        now = now or self._clock.now()
        names = list(self._config.schedules)
        if not names:
            return []
        with self._sessions() as session:
            spans = self._spans(session, now, names)
            claimed = set(session.execute(
                select(HandoffNotice.schedule, HandoffNotice.shift_start)
                .where(HandoffNotice.shift_start > now - catch_up)
            ).tuples())
        due = []
        for name in names:
            duty = rotation.on_call(self._config.schedules[name], self._config.tz, spans[name], now)
            if duty.start is not None and now - catch_up < duty.start <= now and (name, duty.start) not in claimed:
                due.append((name, duty))
        return due

    def claim_handoff(self, schedule_name: str, duty: Duty) -> bool:
        """Record that the handoff starting ``duty`` is being announced; False if it already was."""
        if duty.start is None:
            raise ValueError("a duty without a start is no handoff")
        values = {"schedule": schedule_name, "shift_start": duty.start, "user_id": duty.user,
                  "notified_at": self._clock.now()}
        with self._sessions() as session, session.begin():
            dialect = session.get_bind().dialect
            if dialect.name in ("postgresql", "sqlite") and dialect.insert_returning:
                insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
                statement = (
                    insert(HandoffNotice).values(**values)
                    .on_conflict_do_nothing(index_elements=["schedule", "shift_start"])
                    .returning(HandoffNotice.id)
                )
                return session.execute(statement).first() is not None  # no row: it was there already
        try:  # another database, or SQLite before 3.35: the unique constraint refuses the second insert
            with self._sessions() as session, session.begin():
                session.add(HandoffNotice(**values))
        except IntegrityError:
            return False
        return True

    # -- internals ---------------------------------------------------------------------

    def _spans(self, session: Session, at: datetime, names: list[str]) -> dict[str, list[OverrideSpan]]:
        """Each schedule's overrides that can matter at ``at``: not ended before its look-back.

        The look-back (a whole cycle of the rotation plus the longest override) lets ``since``
        see an override that ended recently; older ones cannot change who is on call now.
        """
        oldest = min(at - self._lookback(self._config.schedules[name]) for name in names)
        rows = session.scalars(
            select(Override)
            .where(Override.schedule.in_(names), Override.ends_at > oldest)
            .order_by(Override.created_at, Override.id)
        )
        spans: dict[str, list[OverrideSpan]] = {name: [] for name in names}
        for row in rows:
            if row.ends_at > at - self._lookback(self._config.schedules[row.schedule]):
                spans[row.schedule].append(OverrideSpan(
                    user=row.user_id, start=row.starts_at, end=row.ends_at, created=row.created_at,
                    created_by=row.created_by, id=row.id,
                ))
        return spans

    @staticmethod
    def _lookback(schedule: ScheduleConfig) -> timedelta:
        return schedule.period * len(schedule.members) + MAX_OVERRIDE

    def _show(self, moment: datetime) -> str:
        """``Fri 27 Nov 18:00 CET``: a moment as people in the configured zone read it."""
        return f"{moment.astimezone(self._config.tz):%a %d %b %H:%M %Z}"
