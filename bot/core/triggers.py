"""One answer per Slack invocation: a request sent again (the same ``trigger_id``) gets the first answer.

Slack signs a request for five minutes, so a captured ``/incident declare`` could be replayed; every
invocation has its own trigger id, so the first to take one does the work and records its answer,
and any later one, in any process, waits for that answer and gives it again.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock
from bot.core.db import PLAIN_READ
from bot.core.transactions import statement_alone
from models import SlackTrigger
from models.types import UTCDateTime

KEPT = timedelta(minutes=10)
"""How long a trigger id is remembered: Slack's five-minute signature window, and a margin for clocks."""
SWEEP_EVERY = timedelta(minutes=1)
"""How often a process forgets the ids older than ``KEPT``: not on every request, whose ack waits."""
FIRST_ANSWER_WAIT = 30.0
"""Seconds a replay waits for the first request's answer (the first may be waiting for the database)."""


_TRIGGERS = SlackTrigger.__table__
_FORGET = delete(_TRIGGERS).where(_TRIGGERS.c.received_at < bindparam("before"))
_TAKE = text(
    "INSERT INTO slack_triggers (trigger_id, received_at) VALUES (:id, :at)"
    " ON CONFLICT (trigger_id) DO NOTHING"
).bindparams(bindparam("at", type_=UTCDateTime))
"""Written as text, which both databases speak: SQLAlchemy compiles a dialect's ``ON CONFLICT`` insert
anew at every execution (it keeps no cache key for it), a cost every command's ack paid."""
_TAKEN_WITH = text(
    "INSERT INTO slack_triggers (trigger_id, received_at, answer) VALUES (:id, :at, :given)"
    " ON CONFLICT (trigger_id) DO NOTHING"
).bindparams(bindparam("at", type_=UTCDateTime), bindparam("given", type_=SlackTrigger.__table__.c.answer.type))
_ANSWER = update(_TRIGGERS).where(_TRIGGERS.c.trigger_id == bindparam("id")).values(answer=bindparam("given"))


class Triggers:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self.engine = sessions.kw["bind"]
        self._swept_at: datetime | None = None

    def take(self, trigger_id: str) -> bool:
        """Whether this is the first request with ``trigger_id`` (it is then recorded as taken); at most
        once per ``SWEEP_EVERY``, the ids older than ``KEPT`` are forgotten in the same transaction.
        Every command's ack waits for this, so it is one prepared Core statement on the transaction's
        connection (``statement_alone``): no ORM session of its own."""
        now = self._clock.now()
        if self._swept_at is None or now - self._swept_at >= SWEEP_EVERY:
            statement_alone(self.engine, _FORGET, {"before": now - KEPT})
            self._swept_at = now
        return statement_alone(self.engine, _TAKE, {"id": trigger_id, "at": now}) == 1

    def answered(self, trigger_id: str, answer: dict[str, Any]) -> None:
        """Keep the first request's answer for a replay: one UPDATE, no read."""
        statement_alone(self.engine, _ANSWER, {"id": trigger_id, "given": answer})

    def taken_with(self, trigger_id: str, answer: dict[str, Any]) -> None:
        """Keep the answer of work whose transaction rolled back, its trigger taken with it: one INSERT
        (a request that took the trigger meanwhile keeps its own)."""
        statement_alone(self.engine, _TAKEN_WITH, {"id": trigger_id, "at": self._clock.now(), "given": answer})

    def first_answer(self, trigger_id: str, timeout: float = FIRST_ANSWER_WAIT) -> dict[str, Any] | None:
        """The first request's answer, once it has one (None if it has none after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._sessions() as session:
                session.connection(execution_options=PLAIN_READ)  # no write lock while the first one writes
                answer = session.scalar(select(SlackTrigger.answer).where(SlackTrigger.trigger_id == trigger_id))
            if answer is not None or time.monotonic() > deadline:
                return answer
            time.sleep(0.05)
