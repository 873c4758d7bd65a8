"""Maintenance windows: ``/incident maintenance <service> <from> <to> [reason]``, ``list`` and ``end <n>``.

During a window, an alert of its service that would open or join an incident is recorded on the
window instead (``maintenance_holds``: one row per alert, however often it repeats): no incident,
nobody paged. An incident already open, or one declared by a person, is not affected. Windows of
one service never overlap (the second is refused, naming the first), last at most ``MAX_LENGTH``,
and take the on-call commands' date grammar (``bot.core.when``).

With Alertmanager set (``ALERTMANAGER_URL``), a window also silences ``service=<name>`` there for
its range, and an early end expires that silence. Each is tried at once and, in the same
transaction as the change, a ``maintenance.silence`` timer is armed a little later: if the attempt
fails (Alertmanager down) the window stands, the person is told, and the timer retries until it
is done; if it succeeded the timer finds nothing left to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.core.db import insert_for
from bot.core.errors import UserError, code
from bot.core.when import parse_range, show, split_range
from bot.jobs import timers
from bot.jobs.timers import TryAgain
from bot.maintenance.silences import SilenceFailed, Silences
from models import MaintenanceHold, MaintenanceWindow, Timer
from models.incident import TITLE_LENGTH

MAX_LENGTH = timedelta(days=7)
SILENCE = "maintenance.silence"
SILENCE_RETRY = timedelta(seconds=30)
"""When the silence's timer first looks again, after the attempt made at once."""
LISTED_AFTER_END = timedelta(days=7)


def state(window: MaintenanceWindow, now: datetime) -> str:
    """Statuspage's words: scheduled, in_progress, completed."""
    return "scheduled" if now < window.starts_at else "in_progress" if now < window.ends_at else "completed"


@dataclass(frozen=True)
class Held:
    title: str
    firing: bool
    times: int


@dataclass(frozen=True)
class WindowView:
    number: int
    service: str
    starts_at: datetime
    ends_at: datetime
    reason: str | None
    created_by: str
    state: str
    ended_by: str | None
    silence_id: str | None
    silence_error: str | None
    held: tuple[Held, ...] = ()


class MaintenanceService:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock,
                 silences: Silences | None = None) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock
        self._silences = silences

    # -- the commands ---------------------------------------------------------------------------

    def open(self, user: str, text: str) -> WindowView:
        service, _, rest = text.strip().partition(" ")
        if not service:
            raise UserError("Say which service, from when and until when.", command="maintenance")
        if (found := self._config.service_named(service)) is None:
            known = ", ".join(code(name) for name in self._config.services) or "none is configured"
            raise UserError(f"{code(service.lower())} is not a configured service; use one of: {known}.",
                            command="maintenance")
        service = found
        now, zone = self._clock.now(), self._config.tz
        text_from, text_to, reason = split_range(rest, command="maintenance")
        starts, ends = parse_range(text_from, text_to, now, zone, max_length=MAX_LENGTH, command="maintenance")
        with self._sessions() as session, session.begin():
            clash = session.scalars(select(MaintenanceWindow).where(
                MaintenanceWindow.service == service, MaintenanceWindow.starts_at < ends,
                MaintenanceWindow.ends_at > starts).order_by(MaintenanceWindow.starts_at).with_for_update()).first()
            if clash is not None:
                raise UserError(f"Maintenance #{clash.id} of {code(service)} already runs {show(clash.starts_at, zone)} – "
                                f"{show(clash.ends_at, zone)}: end it first ({code(f'/incident maintenance end {clash.id}')}), "
                                "or choose a range that does not overlap it.", command="maintenance")
            window = MaintenanceWindow(service=service, starts_at=starts, ends_at=ends, reason=reason.strip() or None,
                                       created_by=user, created_at=now)
            session.add(window)
            session.flush()
            if self._silences is not None:
                timers.schedule(session, SILENCE, now + SILENCE_RETRY, payload={"window": window.id},
                                key=f"maintenance-silence:{window.id}")
            number = window.id
        self._bring_silence_in_line(number)
        return self.view(number)

    def end(self, user: str, text: str) -> WindowView:
        number = text.strip().removeprefix("#")
        if not number.isdigit():
            raise UserError(f"{code(text.strip())} is not a window's number; {code('/incident maintenance list')} shows them.",
                            command="maintenance_end")
        now, zone = self._clock.now(), self._config.tz
        with self._sessions() as session, session.begin():
            window = session.get(MaintenanceWindow, int(number), with_for_update=True)
            if window is None:
                raise UserError(f"There is no maintenance #{number}; {code('/incident maintenance list')} shows them.",
                                command="maintenance_end")
            if window.ends_at <= now:
                by = f" by <@{window.ended_by}>" if window.ended_by else ""
                raise UserError(f"Maintenance #{number} already ended {show(window.ends_at, zone)}{by}.")
            window.starts_at = min(window.starts_at, now)  # one never begun is over before it began
            window.ends_at, window.ended_by = now, user
            if self._silences is not None and window.silence_id is not None:
                timers.schedule(session, SILENCE, now + SILENCE_RETRY, payload={"window": window.id},
                                key=f"maintenance-silence:{window.id}")
        self._bring_silence_in_line(int(number))
        return self.view(int(number))

    def listing(self) -> list[WindowView]:
        """Windows ahead, in progress, and ended within the last week, the soonest first, each with what it held."""
        since = self._clock.now() - LISTED_AFTER_END
        with self._sessions() as session:
            numbers = session.scalars(select(MaintenanceWindow.id).where(MaintenanceWindow.ends_at > since)
                                      .order_by(MaintenanceWindow.starts_at, MaintenanceWindow.id)).all()
        return [self.view(number) for number in numbers]

    def ahead(self, until: timedelta = timedelta(days=30)) -> list[WindowView]:
        """Windows scheduled or in progress, for the status page (and those completed in the last day)."""
        now = self._clock.now()
        return [view for view in self.listing() if view.ends_at > now - timedelta(days=1)
                and view.starts_at < now + until]

    def view(self, number: int) -> WindowView:
        with self._sessions() as session:
            window = session.get(MaintenanceWindow, number)
            held = tuple(Held(h.title, h.firing, h.times) for h in session.scalars(
                select(MaintenanceHold).where(MaintenanceHold.window_id == number).order_by(MaintenanceHold.id)))
            return WindowView(window.id, window.service, window.starts_at, window.ends_at, window.reason,
                              window.created_by, state(window, self._clock.now()), window.ended_by,
                              window.silence_id, window.silence_error, held)

    # -- alerts --------------------------------------------------------------------------------

    def hold(self, session: Session, service: str | None, source: str, dedup_key: str, title: str,
             firing: bool) -> int | None:
        """Inside an alert's transaction: the window of ``service`` in progress now, with the alert recorded
        on it, or None when there is none (the alert goes its usual way)."""
        if service is None:
            return None
        now = self._clock.now()
        window_id = session.scalar(select(MaintenanceWindow.id).where(
            MaintenanceWindow.service == service, MaintenanceWindow.starts_at <= now, MaintenanceWindow.ends_at > now))
        if window_id is None:
            return None
        insert = insert_for(session)
        session.execute(insert(MaintenanceHold).values(window_id=window_id, source=source, dedup_key=dedup_key,
                                                       title=title[:TITLE_LENGTH], firing=firing, first_at=now, times=1)
                        .on_conflict_do_update(index_elements=["window_id", "source", "dedup_key"],
                                               set_={"firing": firing, "times": MaintenanceHold.times + 1}))
        return window_id

    # -- the silence at Alertmanager ----------------------------------------------------------------

    def fire_silence(self, timer: Timer) -> None:
        """The retry of a silence not yet made, or not yet expired after an early end."""
        error = self._bring_silence_in_line(timer.payload["window"])
        if error is not None:
            raise TryAgain(error)

    def _bring_silence_in_line(self, number: int) -> str | None:
        """Make the window's silence if it has none and is still ahead or running; expire it if the
        window was ended early. What went wrong, or None. Alertmanager is called outside any
        transaction (on SQLite one would hold every writer for as long as it takes to answer)."""
        if self._silences is None:
            return None
        now = self._clock.now()
        with self._sessions() as session:
            window = session.get(MaintenanceWindow, number)
            session.expunge(window)
        made = expired = None
        try:
            if window.ended_by is not None and window.silence_id is not None:
                self._silences.expire(window.silence_id)
                expired = window.silence_id
            elif window.ended_by is None and window.silence_id is None and window.ends_at > now:
                made = self._silences.create(window.service, max(window.starts_at, now), window.ends_at,
                                             window.created_by,
                                             window.reason or f"Maintenance #{window.id} of {window.service}")
            error = None
        except SilenceFailed as exc:
            error = str(exc)
        with self._sessions() as session, session.begin():
            window = session.get(MaintenanceWindow, number, with_for_update=True)
            if made is not None:
                window.silence_id = made
            if expired is not None and window.silence_id == expired:
                window.silence_id = None
            window.silence_error = error
        return error
