"""Time off: ``/incident oncall away <from> <to>``, ``away list`` and ``away cancel <n>``.

A stretch of time off is a row; ``bot.paging.layers`` reads it: the person's shifts in that range go
to the next member of each layer who is not away. Who takes them over is said to the caller so that
they can be told; a stretch where nobody is left is a gap (``bot.paging.gaps``), not a loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from bot.core.errors import UserError, code
from bot.core.when import parse_range
from bot.paging import layers
from bot.paging.oncall import OnCallPart
from models.oncall import TimeOff


@dataclass(frozen=True)
class Handover:
    """Who takes ``user``'s shifts of ``schedule`` over ``[start, end)`` while they are away."""

    schedule: str
    user: str | None  # None: nobody is left (a gap)
    start: datetime
    end: datetime


@dataclass(frozen=True)
class AwayAdded:
    time_off: TimeOff
    handovers: list[Handover]


class TimeOffService(OnCallPart):
    def add(self, user: str, text_from: str, text_to: str) -> AwayAdded:
        """``user`` is away from ``text_from`` to ``text_to`` (``bot.core.when``'s grammar)."""
        now = self._clock.now()
        start, end = parse_range(text_from, text_to, now, self._config.tz, max_length=self._config.oncall.max_time_off,
                                 command="oncall_away")
        with self._sessions() as session, session.begin():
            row = TimeOff(user_id=user, starts_at=start, ends_at=end, created_at=now)
            session.add(row)
        return AwayAdded(row, self.handovers(user, start, end))

    def handovers(self, user: str, start: datetime, end: datetime) -> list[Handover]:
        """The shifts ``user`` would have had in ``[start, end)`` and who has them now, schedule by schedule."""
        found = []
        for name, rota in self._oncall.rotas(start).items():
            if user not in {member for layer in rota.layers for member in layer.rotation.members}:
                continue
            without = layers.build_rota(name, self._config.schedules[name], self._config.tz, rota.overrides,
                                        [a for spans in rota.away.values() for a in spans if a.user != user])
            for shift in layers.shifts(without, start, end):
                if shift.user != user or shift.override is not None:
                    continue
                covered = layers.shifts(rota, shift.start, shift.end)
                found += [Handover(name, c.user, c.start, c.end) for c in covered]
                found += [Handover(name, None, a, b) for a, b in layers.gaps(rota, shift.start, shift.end)]
        return sorted(found, key=lambda h: (h.schedule, h.start))

    def mine(self, user: str) -> list[TimeOff]:
        """``user``'s time off that has not ended, soonest first."""
        with self._sessions() as session:
            return list(session.scalars(select(TimeOff).where(
                TimeOff.user_id == user, TimeOff.cancelled_at.is_(None), TimeOff.ends_at > self._clock.now(),
            ).order_by(TimeOff.starts_at)))

    def cancel(self, user: str, number: int) -> TimeOff:
        """Cancel ``user``'s time off number ``number`` (as ``away list`` shows it)."""
        with self._sessions() as session, session.begin():
            done = session.execute(update(TimeOff).where(
                TimeOff.id == number, TimeOff.user_id == user, TimeOff.cancelled_at.is_(None),
                TimeOff.ends_at > self._clock.now()).values(cancelled_at=self._clock.now())).rowcount
            row = session.get(TimeOff, number)
        if not done:
            raise UserError(f"You have no time off number {number} ahead; {code('/incident oncall away list')} shows yours.",
                            command="oncall_away")
        return row
