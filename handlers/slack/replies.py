"""The one place where handler work becomes answers, in time.

A ``UserError`` is the person's to fix: its text is shown to them, ephemerally. A
``MalformedPayload`` is nobody's: a 400 and one warning line. Anything else is ours: it is
logged with its context, and the person gets a short apology with a reference to find it in
the log, never a stack trace.

Slack drops an ack after 3 s, and a database held by another process (SQLite's one writer)
can take longer. A listener's work therefore runs with a deadline: late, the ack goes at once
with ``BUSY`` and the answer follows through the response URL when the work is over.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from slack_bolt import BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.core.db import database_busy
from bot.core.errors import UserError
from bot.core.threads import named_pool
from bot.core.transactions import after_work, one_transaction
from bot.core.triggers import Triggers
from bot.slack import blocks
from bot.slack.blocks import Message
from bot.slack.effects import Effects
from bot.slack.notices import Notices
from handlers.slack.payloads import MalformedPayload, user_id

log = logging.getLogger(__name__)

ANSWER_DEADLINE = 2.0
"""Seconds a listener's work may take before its ack goes without its answer (Slack waits 3)."""
WORK_THREADS = 16
"""Listeners' work in flight at once, late work included; more waits for a thread (and acks late)."""

KEEP_TRYING = timedelta(minutes=25)
"""How long work the database refuses (another process holds its write lock) is tried again: a
response URL takes answers for 30 minutes, so the person still hears whether it was recorded."""

Answer = TypeVar("Answer")
LATE = object()
"""What ``answer_within`` returns when the work missed the deadline."""


def outcome(work: Callable[[], Message | None], what: str) -> Message | None:
    """Run ``work``; return its reply, or the message that explains why it failed. A database too busy
    to take it (``database_busy``) is no failure of the work: ``persist`` tries again."""
    try:
        return work()
    except UserError as exc:
        return blocks.user_error_message(exc)
    except Exception as exc:
        if database_busy(exc):
            raise
        return internal_error(what)


def persist(work: Callable[[], Answer], given_up: Answer) -> Answer:
    """``work()``, tried again while the database is too busy to take it (``database_busy``), for as long
    as its answer can still reach the person (``KEEP_TRYING``, within a response URL's 30 minutes);
    then ``given_up``, which says plainly that nothing was recorded."""
    deadline, attempt = time.monotonic() + KEEP_TRYING.total_seconds(), 1
    while True:
        try:
            return work()
        except (OperationalError, PoolTimeout) as exc:
            if not database_busy(exc):
                raise
        if time.monotonic() >= deadline:
            log.error("gave up after %s attempts: the database stayed too busy to take the work", attempt)
            return given_up
        log.warning("the database is too busy to take the work (attempt %s); trying again", attempt)
        time.sleep(min(attempt, 5))
        attempt += 1


def internal_error(what: str) -> Message:
    """Log the exception being handled and give the person a reference to it."""
    reference = uuid.uuid4().hex[:8]
    log.exception("%s failed (reference %s)", what, reference)
    return blocks.replies.internal_error(what, reference)


def on_error(error: Exception, body: dict, response: BoltResponse | None) -> BoltResponse | None:
    """Bolt's global error handler, for what a listener or middleware raised before its ack, and for a
    request no listener takes (one line, not Bolt's multi-line suggestion; an event is acked, as Slack
    sends again every delivery not answered with a 2xx)."""
    if isinstance(error, BoltUnhandledRequestError):
        event = body.get("event") if isinstance(body.get("event"), dict) else None
        log.warning("ignored a %s request that no listener takes", (event or {}).get("type") or body.get("type")
                    or body.get("command") or "Slack")
        return None if response is None else BoltResponse(status=200 if event else 404, body="")
    if not isinstance(error, MalformedPayload):
        log.error("Bolt could not handle a %s request", body.get("type") or body.get("command"), exc_info=error)
        return None
    log.warning("refused a malformed %s payload: %s", body.get("type") or "Slack", error)
    return None if response is None else BoltResponse(status=400, body={"error": str(error)})


@dataclass(frozen=True)
class Answers:
    """Where a listener's Slack work goes once it has acked: the effects' answer threads (which never
    queue behind syncs), sending through the notices."""

    effects: Effects
    notices: Notices
    triggers: Triggers

    def later(self, send: Callable[..., object], *args: object) -> None:
        """``send(*args)`` on an answer thread: opening a form within its trigger's 3 s, a reply. Handed
        over once the work's transaction is over, so that the thread reads what the work wrote."""
        after_work(functools.partial(self.effects.answer, send, *args), needs_commit=False)

    def submit(self, send: Callable[..., object], *args: object) -> None:
        """``send(*args)`` on the effects' own threads: Slack work that answers nobody in particular."""
        after_work(functools.partial(self.effects.submit, send, *args), needs_commit=False)

    def tell(self, response_url: str | None, message: Message, user: str) -> None:
        """Answer where the person acted (by DM without a response URL)."""
        self.later(self.notices.reply, response_url, message, user)


def reply_within(answers: Answers, work: Callable[[], Message | None], what: str, response_url: str | None,
                 user: str, trigger: str | None) -> Message | None:
    """``outcome(work, what)`` if it is over within the deadline; else ``BUSY``, and the answer through
    ``response_url`` (by DM without one) when the work is over: a silent success then says it is done.
    A request sent again with the same ``trigger`` id gets the first one's answer, and does nothing."""
    tell = _teller(answers, response_url, user)
    once = _once(answers.triggers, trigger, lambda: outcome(work, what),
                 lambda reply: {"reply": None if reply is None else [reply.text, reply.blocks]},
                 lambda stored: None if stored["reply"] is None else Message(*stored["reply"]), blocks.replies.REPLAYED)
    answer = answer_within(lambda: outcome(lambda: persist(once, blocks.replies.not_recorded(what)), what),
                           lambda late: tell(late or blocks.replies.done(what)))
    return blocks.replies.BUSY if answer is LATE else answer


def errors_within(answers: Answers, work: Callable[[], dict[str, str] | None], what: str, field: str,
                  response_url: str | None, user: str, trigger: str | None) -> dict[str, str] | None:
    """A form's errors from ``work`` if it is over within the deadline. Late, the form closes without
    errors (its ack cannot wait): ``BUSY`` is sent at once, and any errors follow as a message.
    A form submitted again with the same ``trigger`` id gets the first one's errors, and does nothing;
    a failure of ours, or the database refusing it too long, is said next to ``field``."""
    tell = _teller(answers, response_url, user)

    def checked() -> dict[str, str] | None:
        try:
            return work()
        except Exception as exc:
            if database_busy(exc):
                raise
            return {field: internal_error(what).text}

    once = _once(answers.triggers, trigger, checked, lambda errors: {"errors": errors}, lambda stored: stored["errors"], None)
    errors = answer_within(lambda: persist(once, {field: blocks.replies.not_recorded(what).text}),
                           lambda late: late and tell(blocks.replies.form_refused(late)))
    if errors is LATE:
        tell(blocks.replies.BUSY)
        return None
    return errors


def submit_form(answers: Answers, ack, body: dict, what: str, save: Callable[[], object],
                block_of: Callable[[str | None], str], response_url: str | None = None) -> None:
    """Save a submitted form: a ``UserError`` goes back onto the form next to the block of the field
    it names (``block_of(None)`` when it names none), or, late, to the person by DM."""

    def work() -> dict[str, str] | None:
        try:
            save()
        except UserError as exc:
            return {block_of(exc.field): blocks.error_text(exc)}
        return None

    ack_form(ack, errors_within(answers, work, what, block_of(None), response_url, user_id(body), body["trigger_id"]))


def ack_form(ack, errors: dict[str, str] | None) -> None:
    """Close a submitted form, or keep it open with each error next to its field."""
    if errors:
        ack(response_action="errors", errors=errors)
    else:
        ack()


def _once(triggers: Triggers, trigger: str | None, work: Callable[[], Answer], stored: Callable[[Answer], dict],
          answer_of: Callable[[dict], Answer], pending: Answer) -> Callable[[], Answer]:
    """``work``, done only by the first request with ``trigger`` (``bot.core.triggers``); a replay waits
    for the first answer and gives it again (``pending`` if there is none yet). The trigger is taken,
    the work done and its answer kept in one transaction (``one_transaction``): an ack waits for one
    COMMIT, not three, and work rolled back leaves its trigger free. Work whose own error rolled that
    transaction back keeps its answer in a transaction of its own."""
    if trigger is None:
        return work

    def run() -> Answer:
        with one_transaction(triggers.engine) as unit:
            first = triggers.take(trigger)
            if first:
                answer = work()
                if unit.intact:
                    triggers.answered(trigger, stored(answer))
        if not first:
            log.warning("a request came again with trigger id %s: it gets the first answer", trigger)
            earlier = triggers.first_answer(trigger)
            return pending if earlier is None else answer_of(earlier)
        if not unit.committed:
            triggers.taken_with(trigger, stored(answer))
        return answer

    return run


def _teller(answers: Answers, response_url: str | None, user: str) -> Callable[[Message], object]:
    return lambda message: answers.tell(response_url, message, user)


def answer_within(work: Callable[[], Answer], late: Callable[[Answer], object]) -> Answer | object:
    """``work()``'s answer if it is over within ``ANSWER_DEADLINE``; else ``LATE`` at once, and
    ``late(answer)`` once it is over. The work runs whole either way (its transaction commits or
    fails as one), on threads of its own so that Bolt's listener can ack; it must not raise.
    Whether it was late is settled under one lock, so the answer is given exactly once: returned,
    or passed to ``late`` on the work's own thread before that work counts as over."""
    lock, state = threading.Lock(), {"over": False, "late": False, "answer": None}

    def run() -> None:
        answer = work()
        with lock:
            state.update(over=True, answer=answer)
            if state["late"]:
                late(answer)

    future = _work_threads().submit(run)
    _in_flight.add(future)
    future.add_done_callback(_in_flight.discard)
    try:
        future.result(timeout=ANSWER_DEADLINE)
    except TimeoutError:
        with lock:
            if not state["over"]:
                state["late"] = True
                return LATE
    return state["answer"]


_in_flight: set[Future] = set()
"""Listeners' work begun and not over, for ``wait_for_answers``."""


def wait_for_answers(timeout: float) -> None:
    """Until every listener's work begun so far is over and its late answer handed on: before a
    process stops, so that no late answer is dropped (and in tests, before reading the rows)."""
    wait(list(_in_flight), timeout)


@functools.cache
def _work_threads() -> ThreadPoolExecutor:
    """Built on first use, never at import; one per process, like the database's one writer."""
    return named_pool("listener-work", WORK_THREADS)
