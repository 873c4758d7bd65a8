"""Cover requests: ``/incident oncall cover <from> <to> [schedule]``, *Take it*, ``cover cancel <n>``.

A request is a row; its message in the schedule's channel carries a *Take it* button. Taking it is one
conditional write (``UPDATE … SET taken_by = :who WHERE id = :id AND taken_by IS NULL AND cancelled_at IS
NULL``) in the transaction that adds the taker's override: of two people pressing at once, exactly one
update matches a row, and only that one adds an override.
"""

from __future__ import annotations

from sqlalchemy import select, update

from bot.core.errors import UserError, code
from bot.core.when import parse_range
from bot.paging.oncall import OnCallPart
from models.oncall import CoverRequest, Override


class CoverService(OnCallPart):
    def channel_of(self, schedule: str) -> str:
        """Where a schedule's cover requests are posted: its channel, else the announcement channel."""
        return self._config.schedules[schedule].channel or self._config.slack.announce_channel

    def ask(self, user: str, text_from: str, text_to: str, schedule: str | None) -> CoverRequest:
        name = self._oncall.schedule_name(schedule, "oncall_cover")
        now = self._clock.now()
        start, end = parse_range(text_from, text_to, now, self._config.tz,
                                 max_length=self._config.overrides.max_duration, command="oncall_cover")
        with self._sessions() as session, session.begin():
            row = CoverRequest(schedule=name, requested_by=user, starts_at=start, ends_at=end, created_at=now,
                               channel=self.channel_of(name))
            session.add(row)
        return row

    def posted(self, request_id: int, channel: str, ts: str) -> None:
        """Where the request's message is, so that taking or cancelling it can update it."""
        with self._sessions() as session, session.begin():
            session.execute(update(CoverRequest).where(CoverRequest.id == request_id).values(channel=channel, ts=ts))

    def take(self, request_id: int, user: str) -> CoverRequest:
        """``user`` takes the request: an override from now (or its start) to its end. One conditional write."""
        now = self._clock.now()
        with self._sessions() as session, session.begin():
            row = session.get(CoverRequest, request_id)
            if row is None:
                raise UserError("That cover request no longer exists.")
            if row.requested_by == user:
                raise UserError("That is your own cover request: someone else has to take it "
                                f"({code(f'/incident oncall cover cancel {row.id}')} withdraws it).")
            if row.ends_at <= now:
                raise UserError("That cover request is over: its range has passed.")
            taken = session.execute(update(CoverRequest).where(
                CoverRequest.id == request_id, CoverRequest.taken_by.is_(None), CoverRequest.cancelled_at.is_(None),
            ).values(taken_by=user, taken_at=now)).rowcount
            if not taken:
                session.refresh(row)
                raise UserError(f"<@{row.taken_by}> took it first." if row.taken_by else "That cover request was cancelled.")
            override = Override(schedule=row.schedule, user_id=user, starts_at=max(row.starts_at, now),
                                ends_at=row.ends_at, created_by=user, created_at=now)
            session.add(override)
            session.flush()
            row.override_id = override.id
        with self._sessions() as session:
            return session.get(CoverRequest, request_id)

    def cancel(self, user: str, number: int) -> CoverRequest:
        with self._sessions() as session, session.begin():
            done = session.execute(update(CoverRequest).where(
                CoverRequest.id == number, CoverRequest.requested_by == user, CoverRequest.taken_by.is_(None),
                CoverRequest.cancelled_at.is_(None)).values(cancelled_at=self._clock.now())).rowcount
            row = session.get(CoverRequest, number)
        if not done:
            why = "it has been taken" if row is not None and row.taken_by else "you have no open one with that number"
            raise UserError(f"Cover request {number} cannot be cancelled: {why}.", command="oncall_cover")
        return row

    def open_requests(self) -> list[CoverRequest]:
        """Untaken, uncancelled requests that have not ended, soonest first (for ``/oncall``)."""
        with self._sessions() as session:
            return list(session.scalars(select(CoverRequest).where(
                CoverRequest.taken_by.is_(None), CoverRequest.cancelled_at.is_(None),
                CoverRequest.ends_at > self._clock.now()).order_by(CoverRequest.starts_at)))
