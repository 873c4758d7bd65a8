"""On-call calendars: a schedule's shifts, or one person's across every schedule, for 90 days, and the
secret token in a person's own feed URL (``/oncall/people/<U…>.ics?token=…``)."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from bot.paging import layers
from bot.paging.oncall import OnCallPart
from models.oncall import CalendarToken

FEED_DAYS = 90


@dataclass(frozen=True)
class CalendarShift:
    schedule: str
    shift: layers.Shift


class CalendarService(OnCallPart):
    def window(self) -> tuple[datetime, datetime]:
        """From the start of the current hour, ``FEED_DAYS`` ahead."""
        start = self._clock.now().replace(minute=0, second=0, microsecond=0)
        return start, start + timedelta(days=FEED_DAYS)

    def schedule_shifts(self, name: str) -> list[CalendarShift]:
        """``name``'s shifts (overrides and time off applied) in the window; unknown names are a UserError."""
        name = self._oncall.schedule_name(name)
        start, end = self.window()
        return [CalendarShift(name, s) for s in layers.shifts(self._oncall.rota(name, start), start, end)]

    def person_shifts(self, user: str) -> list[CalendarShift]:
        """``user``'s shifts in every schedule in the window, by start."""
        start, end = self.window()
        found = [CalendarShift(name, s) for name, rota in self._oncall.rotas(start).items()
                 for s in layers.shifts(rota, start, end) if s.user == user]
        return sorted(found, key=lambda c: (c.shift.start, c.schedule))

    def token_for(self, user: str) -> str:
        """``user``'s feed token, made once and kept."""
        with self._sessions() as session:
            row = session.get(CalendarToken, user)
            if row is not None:
                return row.token
        try:
            with self._sessions() as session, session.begin():
                session.add(CalendarToken(user_id=user, token=secrets.token_urlsafe(24), created_at=self._clock.now()))
        except IntegrityError:  # made by another request at the same moment: theirs stands
            pass
        with self._sessions() as session:
            return session.get(CalendarToken, user).token

    def token_matches(self, user: str, given: str) -> bool:
        with self._sessions() as session:
            row = session.get(CalendarToken, user)
        return row is not None and hmac.compare_digest(row.token.encode(), given.encode())
