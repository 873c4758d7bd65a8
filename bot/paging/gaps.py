"""Gaps and conflicts seen ahead, each said once.

Looking ``oncall.look_ahead`` ahead of now, three kinds of finding:

- ``gap``: a stretch of a schedule when nobody is on call (no layer covers it, or every member of the
  layers that do is away);
- ``away``: someone on call (by an override) while their time off says they are away;
- ``too_long``: someone on call, across every schedule, for more than ``oncall.max_hours_in_a_row``
  hours without a break;
- ``stale``: time off or an override ahead for someone who is no longer in the schedule (or a schedule no
  longer in the file): said, so that someone tidies it, and otherwise harmless.

The check runs on a daily timer row and after every change of overrides or time off. Each finding has
a key (its kind, schedule, person, start and end); a worker claims the key (``claim_once``) before
saying it, so a finding is said once across restarts and workers, and again when it changes. Ends
that run past the stretch examined are keyed as open, so a long gap is not said again each day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.jobs import timers
from bot.paging import layers
from bot.paging.oncall import OnCallPart, claim_once
from models import Timer
from models.oncall import FindingNotice, Override, TimeOff

GAP_CHECK = "oncall.gaps"
_MARGIN = timedelta(days=7)  # examined past look_ahead, so that a finding's true end is usually seen


@dataclass(frozen=True)
class Finding:
    kind: str  # gap | away | too_long | stale
    schedule: str | None
    user: str | None
    start: datetime
    end: datetime
    open_start: bool = False  # began before the stretch examined
    open_end: bool = False  # goes on past it

    @property
    def key(self) -> str:
        start = "open" if self.open_start else self.start.isoformat()
        end = "open" if self.open_end else self.end.isoformat()
        return f"{self.kind}:{self.schedule or '-'}:{self.user or '-'}:{start}:{end}"[:200]


class GapCheck(OnCallPart):
    @property
    def look_ahead(self) -> timedelta:
        return self._config.oncall.look_ahead

    def findings(self, schedule: str | None = None) -> list[Finding]:
        """What is wrong in the next ``look_ahead`` (of one schedule, or all), soonest first."""
        now = self._clock.now()
        ahead = now + self._config.oncall.look_ahead
        limit = max(timedelta(hours=self._config.oncall.max_hours_in_a_row), timedelta(days=1))
        begin, finish = now - limit, ahead + _MARGIN
        rotas = self._oncall.rotas(begin)
        found: list[Finding] = []
        stretches: dict[str, list[tuple[datetime, datetime, str]]] = {}
        for name, rota in rotas.items():
            found += [self._finding("gap", name, None, a, b, begin, finish) for a, b in layers.gaps(rota, begin, finish)]
            for shift in layers.shifts(rota, begin, finish):
                stretches.setdefault(shift.user, []).append((shift.start, shift.end, name))
                for away in rota.away.get(shift.user, ()):
                    a, b = max(shift.start, away.start), min(shift.end, away.end)
                    if a < b:
                        found.append(self._finding("away", name, shift.user, a, b, begin, finish))
        longest = timedelta(hours=self._config.oncall.max_hours_in_a_row)
        for user, spans in stretches.items():
            found += [self._finding("too_long", names, user, a, b, begin, finish)
                      for a, b, names in _in_a_row(spans) if b - a > longest]
        found += self._stale(begin, finish, rotas)
        found = [f for f in found if f.end > now and f.start < ahead
                 and (schedule is None or schedule in (f.schedule or "").split(",") or f.schedule is None)]
        return sorted(_merged(found), key=lambda f: (f.start, f.kind, f.schedule or ""))

    def new_findings(self) -> list[Finding]:
        """The findings not said yet, each claimed by this process (so it, and only it, says them)."""
        now = self._clock.now()
        return [f for f in self.findings()
                if claim_once(self._sessions, FindingNotice, {"key": f.key, "said_at": now}, ["key"])]

    def unclaim(self, findings: list[Finding]) -> None:
        """Give back findings that could not be said, so that the next check says them."""
        with self._sessions() as session, session.begin():
            session.execute(delete(FindingNotice).where(FindingNotice.key.in_([f.key for f in findings])))

    def arm(self) -> None:
        """The next daily check's timer row, unless one is pending."""
        with self._sessions() as session, session.begin():
            arm(session, self._clock.now())

    @staticmethod
    def _finding(kind, schedule, user, a, b, begin, finish) -> Finding:
        return Finding(kind, schedule, user, max(a, begin), min(b, finish), a <= begin, b >= finish)

    def _stale(self, now: datetime, finish: datetime, rotas: dict[str, layers.Rota]) -> list[Finding]:
        members = {name: {m for layer in rota.layers for m in layer.rotation.members} for name, rota in rotas.items()}
        everyone = set().union(*members.values()) if members else set()
        found = []
        with self._sessions() as session:
            for row in session.scalars(select(TimeOff).where(TimeOff.ends_at > now, TimeOff.cancelled_at.is_(None))):
                if row.user_id not in everyone:
                    found.append(self._finding("stale", None, row.user_id, row.starts_at, row.ends_at, now, finish))
            for row in session.scalars(select(Override).where(Override.ends_at > now)):
                if row.schedule not in rotas:
                    found.append(self._finding("stale", row.schedule, row.user_id, row.starts_at, row.ends_at,
                                               now, finish))
        return found


def arm(session: Session, now: datetime) -> Timer | None:
    """Schedule tomorrow's check (in the caller's transaction), keyed by its day so it is armed once."""
    due = (now + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    return timers.schedule(session, GAP_CHECK, due, key=f"oncall:gaps:{due.date()}")


def _in_a_row(spans: list[tuple[datetime, datetime, str]]) -> list[tuple[datetime, datetime, str]]:
    """Touching or overlapping stretches of one person joined: (start, end, the schedules, comma-joined)."""
    joined: list[tuple[datetime, datetime, str]] = []
    for a, b, name in sorted(spans):
        if joined and a <= joined[-1][1]:
            start, end, names = joined[-1]
            joined[-1] = (start, max(end, b), names if name in names.split(",") else f"{names},{name}")
        else:
            joined.append((a, b, name))
    return joined


def _merged(found: list[Finding]) -> list[Finding]:
    """One finding per key (an away found in two shifts of one override is one)."""
    return list({f.key: f for f in found}.values())
