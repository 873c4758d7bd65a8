"""The on-call service: who is on call, overrides, and handoffs to announce exactly once.

Schedules come from the configuration and are computed by ``bot.paging.layers`` (layers, hours,
overrides, time off) over ``bot.paging.rotation`` (shifts, daylight saving); only overrides and
the record of announced handoffs are in the database. Each public method is one unit of work with one
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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.core.durations import format_duration
from bot.core.errors import UserError, code
from bot.paging import layers
from bot.paging.layers import Duty, OverrideSpan, Rota
from models.oncall import HandoffNotice, Override, TimeOff

OVERRIDE_LOOKBACK = timedelta(days=31)
"""Longer than any override is allowed to last (``overrides.max_duration``, a week by default)."""

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
    now: Duty  # who is on call (None: a gap), since (start) and until (end) when
    next: Duty | None  # who takes over at now.end; None when nobody else does within the horizon
    overrides: list[OverrideSpan]  # in force at ``at`` or later, by start
    layers: list[LayerStatus]  # each layer's own now and next, for a schedule of several


@dataclass(frozen=True)
class LayerStatus:
    """One layer alone (its hours and time off, no overrides): who now, who next."""

    name: str
    now: Duty
    next: Duty | None


@dataclass(frozen=True)
class TakenShift:
    """An override just added, and who would have been on call during it (to be told who took over)."""

    override: Override
    replaced: list[str]


class CannotTakeShifts(UserError):
    """The person named cannot be paged, so cannot be on call (``why``: unknown, deactivated, an app)."""

    def __init__(self, user: str, why: str) -> None:
        super().__init__(f"{user} cannot take a shift: {why}. Pick someone who can be paged.")
        self.user = user
        self.why = why


class OnCallService:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock
        self._cache = _RotaCache()

    # -- reading -----------------------------------------------------------------------

    def schedule_name(self, name: str | None, command: str = "oncall") -> str:
        """The configured schedule called ``name`` (any case), or the only one when ``name`` is None."""
        names = list(self._config.schedules)
        if not names:
            raise UserError(f"No on-call schedule is configured; {_HOW_TO_CONFIGURE}.")
        if name is None:
            if len(names) == 1:
                return names[0]
            raise UserError(f"There are {len(names)} on-call schedules: {', '.join(names)}. Name one.", command=command)
        key = name.strip().lower()
        if key not in self._config.schedules:
            raise UserError(f"Unknown schedule {code(name)}; the schedules are {', '.join(names)}.", command=command)
        return key

    def names(self) -> list[str]:
        return list(self._config.schedules)

    def who_all(self) -> list[OnCallStatus]:
        """``/incident oncall`` with no schedule named: every schedule, now and next."""
        if not self._config.schedules:
            self.schedule_name(None)  # says how to configure one
        return [self.who(name) for name in self._config.schedules]

    def who(self, schedule_name: str | None = None) -> OnCallStatus:
        name = self.schedule_name(schedule_name)
        at = self._clock.now()
        rota = self.rota(name, at)
        upcoming = sorted((span for span in rota.overrides if span.end > at), key=lambda span: (span.start, span.created))
        per_layer = []
        if len(rota.layers) > 1:
            for layer in rota.layers:
                alone = layers.only_layer(rota, layer.name)
                per_layer.append(LayerStatus(layer.name, layers.on_call(alone, at), layers.next_duty(alone, at)))
        return OnCallStatus(schedule=name, at=at, now=layers.on_call(rota, at), next=layers.next_duty(rota, at),
                            overrides=upcoming, layers=per_layer)

    def on_call(self, schedule_name: str, at: datetime | None = None) -> str | None:
        """The user on call in ``schedule_name`` at ``at`` (now by default), overrides applied; None in a gap.

        The pager's question, asked at every level of every page: the built rota is kept per schedule
        (``_RotaCache``) and reused while the overrides and time off are unchanged, so an answer costs one
        small query (the change key) and the arithmetic."""
        name = self.schedule_name(schedule_name)
        at = at or self._clock.now()
        with self._sessions() as session:
            changed = change_key(session)
            rota = self._cache.get(name, changed, at)
            if rota is None:
                rota = self._rotas(session, at, [name])[name]
                self._cache.put(name, changed, at - self._lookback(name), rota)
            return layers.who_at(rota, at)

    def rota(self, name: str, at: datetime) -> Rota:
        """The schedule ``name`` with the overrides that can matter from ``at`` on."""
        with self._sessions() as session:
            return self._rotas(session, at, [name])[name]

    # -- overrides ---------------------------------------------------------------------

    def check_override(self, schedule_name: str | None, duration: timedelta | None = None,
                       until: datetime | None = None) -> tuple[str, datetime, datetime]:
        """The schedule, start and end of an override from now, or a message saying what is wrong
        (asked before anything else, so a mistake is answered at once)."""
        if (duration is None) == (until is None):
            raise ValueError("an override takes exactly one of duration and until")
        name = self.schedule_name(schedule_name, "override")
        start = self._clock.now().replace(microsecond=0)
        end = start + duration if duration is not None else until
        if end.tzinfo is None:
            raise ValueError(f"naive datetime {end!r}: pass an aware datetime")
        end = end.astimezone(timezone.utc)
        longest = self._config.overrides.max_duration
        if end <= start:
            raise UserError(
                f"That override would end {self._show(end)}, which is already past; give a later end, "
                "such as a duration (4h) or a later day and time (until tomorrow 09:00).",
                command="override",
            )
        if end - start > longest:
            raise UserError(
                f"An override lasts at most {format_duration(longest)} ({code('overrides.max_duration')} in incidents.yaml), "
                f"so this one could end {self._show(start + longest)} at the latest, not {self._show(end)}. Give a "
                f"shorter one, add another when it ends, or change the rotation under {code(f'schedules.{name}')}.",
                command="override",
            )
        return name, start, end

    def add_override(self, schedule_name: str | None, user: str, actor: str,
                     duration: timedelta | None = None, until: datetime | None = None) -> TakenShift:
        """``user`` is on call from now for ``duration``, or until ``until`` (aware); exactly one of the two.
        Says who would have been on call meanwhile, so they can be told."""
        name, start, end = self.check_override(schedule_name, duration, until)
        with self._sessions() as session, session.begin():
            before = layers.shifts(self._rotas(session, start, [name])[name], start, end)
            override = Override(schedule=name, user_id=user, starts_at=start, ends_at=end,
                                created_by=actor, created_at=self._clock.now())
            session.add(override)
        replaced = list(dict.fromkeys(shift.user for shift in before if shift.user != user))
        return TakenShift(override, replaced)

    def take_shift(self, schedule_name: str | None, user: str, actor: str, duration: timedelta | None,
                   until: datetime | None, why_unpageable: Callable[[str], str | None]) -> TakenShift:
        """``/incident oncall override``: only someone who can be paged takes a shift (``why_unpageable``
        asks Slack, and says why not); then as ``add_override``."""
        why = why_unpageable(user)
        if why is not None:
            raise CannotTakeShifts(user, why)
        return self.add_override(schedule_name, user, actor, duration, until)

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
            rotas = self._rotas(session, now, names)
            claimed = set(session.execute(
                select(HandoffNotice.schedule, HandoffNotice.shift_start)
                .where(HandoffNotice.shift_start > now - catch_up)
            ).tuples())
        due = []
        for name in names:
            duty = layers.on_call(rotas[name], now)
            started = duty.start is not None and now - catch_up < duty.start <= now
            if duty.user is not None and started and (name, duty.start) not in claimed:  # a gap is nobody's handoff
                due.append((name, duty))
        return due

    def claim_handoff(self, schedule_name: str, duty: Duty) -> bool:
        """Record that the handoff starting ``duty`` is being announced; False if it already was."""
        if duty.start is None:
            raise ValueError("a duty without a start is no handoff")
        values = {"schedule": schedule_name, "shift_start": duty.start, "user_id": duty.user,
                  "notified_at": self._clock.now()}
        return claim_once(self._sessions, HandoffNotice, values, ["schedule", "shift_start"])

    # -- internals ---------------------------------------------------------------------

    def _rotas(self, session: Session, at: datetime, names: list[str]) -> dict[str, Rota]:
        """Each schedule with its overrides and time off that can matter at ``at`` or later: not ended before
        its look-back.

        The look-back (a whole cycle of the longest layer plus the longest override) lets ``since``
        see an override that ended recently; older ones cannot change who is on call now. Only the time
        off of the schedules' members and of the people overriding in them is read.
        """
        lookback = {name: self._lookback(name) for name in names}
        oldest = at - max(lookback.values())
        rows = session.execute(
            select(Override.schedule, Override.user_id, Override.starts_at, Override.ends_at, Override.created_at,
                   Override.created_by, Override.id)
            .where(Override.schedule.in_(names), Override.ends_at > oldest)
            .order_by(Override.created_at, Override.id)
        )
        spans: dict[str, list[OverrideSpan]] = {name: [] for name in names}
        for schedule, user, start, end, created, created_by, row_id in rows:
            if end > at - lookback[schedule]:
                spans[schedule].append(OverrideSpan(user, start, end, created, created_by, row_id))
        people = {name: {m for layer in self._config.schedules[name].as_layers() for m in layer.members}
                  | {span.user for span in spans[name]} for name in names}
        away = [layers.Away(user, start, end, row_id) for user, start, end, row_id in session.execute(
            select(TimeOff.user_id, TimeOff.starts_at, TimeOff.ends_at, TimeOff.id).where(
                TimeOff.user_id.in_(set().union(*people.values())), TimeOff.cancelled_at.is_(None),
                TimeOff.ends_at > oldest))]
        return {name: layers.build_rota(name, self._config.schedules[name], self._config.tz, spans[name],
                                        [a for a in away if a.user in people[name]])
                for name in names}

    def rotas(self, at: datetime) -> dict[str, Rota]:
        """Every schedule, with the overrides and time off that can matter from ``at`` on."""
        if not self._config.schedules:
            return {}
        with self._sessions() as session:
            return self._rotas(session, at, list(self._config.schedules))

    def _lookback(self, name: str) -> timedelta:
        cycles = (layer.period * len(layer.members) for layer in self._config.schedules[name].as_layers())
        return max(cycles) + OVERRIDE_LOOKBACK

    def _show(self, moment: datetime) -> str:
        """``Fri 27 Nov 18:00 CET``: a moment as people in the configured zone read it."""
        return f"{moment.astimezone(self._config.tz):%a %d %b %H:%M %Z}"


def claim_once(sessions: sessionmaker[Session], model: type, values: dict, unique: list[str]) -> bool:
    """Insert the row if no row has its ``unique`` columns yet; True only for the process whose insert
    went in. What is announced once across restarts and workers (handoffs, findings) is claimed so."""
    with sessions() as session, session.begin():
        dialect = session.get_bind().dialect
        if dialect.name in ("postgresql", "sqlite") and dialect.insert_returning:
            insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
            statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=unique).returning(
                *(getattr(model, column) for column in unique))
            return session.execute(statement).first() is not None  # no row: it was there already
    try:  # another database, or SQLite before 3.35: the unique constraint refuses the second insert
        with sessions() as session, session.begin():
            session.add(model(**values))
    except IntegrityError:
        return False
    return True


def _newest(column):
    return select(func.max(column)).scalar_subquery()


_CHANGE_KEY = select(_newest(Override.id), _newest(TimeOff.id), _newest(TimeOff.cancelled_at))


def change_key(session: Session) -> tuple:
    """What changes whenever an override or time off is added or cancelled, seen by every process: the
    newest ids (both tables only ever gain rows) and the latest cancellation."""
    return tuple(session.execute(_CHANGE_KEY).one())


class _RotaCache:
    """Each schedule's rota as last built, with the change key it was built under and the earliest instant
    it answers for (its rows reach back a look-back from when it was built). The file is fixed for the
    process's life (a changed file is a restart, so an empty cache); a changed key rebuilds."""

    def __init__(self) -> None:
        self._rotas: dict[str, tuple[tuple, datetime, Rota]] = {}

    def get(self, name: str, key: tuple, at: datetime) -> Rota | None:
        found = self._rotas.get(name)
        if found is None or found[0] != key or at < found[1]:
            return None
        return found[2]

    def put(self, name: str, key: tuple, oldest: datetime, rota: Rota) -> None:
        self._rotas[name] = (key, oldest, rota)  # one assignment: threads read a whole entry or the previous one


class OnCallPart:
    """A service built on the schedules (time off, cover requests, the gap check): the database, the file,
    the clock, and the on-call service that reads the rotas."""

    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock,
                 oncall: OnCallService) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock
        self._oncall = oncall
