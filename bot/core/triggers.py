"""One answer per Slack invocation: a request sent again (the same ``trigger_id``) gets the first answer.

Slack signs a request for five minutes, so a captured ``/incident declare`` could be replayed; every
invocation has its own trigger id, so the first to take one does the work and records its answer,
and any later one, in any process, waits for that answer and gives it again.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock
from bot.core.db import PLAIN_READ, insert_for
from models import SlackTrigger

KEPT = timedelta(minutes=10)
"""How long a trigger id is remembered: Slack's five-minute signature window, and a margin for clocks."""
FIRST_ANSWER_WAIT = 30.0
"""Seconds a replay waits for the first request's answer (the first may be waiting for the database)."""


class Triggers:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def take(self, trigger_id: str) -> bool:
        """Whether this is the first request with ``trigger_id`` (it is then recorded as taken); the
        ids older than ``KEPT`` are forgotten in the same transaction."""
        now = self._clock.now()
        with self._sessions() as session, session.begin():
            session.execute(delete(SlackTrigger).where(SlackTrigger.received_at < now - KEPT))
            insert = insert_for(session)
            return session.scalars(insert(SlackTrigger).values(trigger_id=trigger_id, received_at=now)
                                   .on_conflict_do_nothing(index_elements=[SlackTrigger.trigger_id])
                                   .returning(SlackTrigger.trigger_id)).first() is not None

    def answered(self, trigger_id: str, answer: dict[str, Any]) -> None:
        with self._sessions() as session, session.begin():
            row = session.get(SlackTrigger, trigger_id)
            if row is not None:
                row.answer = answer

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
