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
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TypeVar

from slack_bolt import BoltResponse

from bot.core.errors import UserError
from bot.slack import blocks
from bot.slack.blocks import Message
from bot.slack.effects import Effects
from bot.slack.notices import Notices
from handlers.slack.payloads import MalformedPayload

log = logging.getLogger(__name__)

ANSWER_DEADLINE = 2.0
"""Seconds a listener's work may take before its ack goes without its answer (Slack waits 3)."""
WORK_THREADS = 16
"""Listeners' work in flight at once, late work included; more waits for a thread (and acks late)."""

Answer = TypeVar("Answer")
LATE = object()
"""What ``answer_within`` returns when the work missed the deadline."""


def outcome(work: Callable[[], Message | None], what: str) -> Message | None:
    """Run ``work``; return its reply, or the message that explains why it failed."""
    try:
        return work()
    except UserError as exc:
        return blocks.user_error_message(exc)
    except Exception:
        return internal_error(what)


def internal_error(what: str) -> Message:
    """Log the exception being handled and give the person a reference to it."""
    reference = uuid.uuid4().hex[:8]
    log.exception("%s failed (reference %s)", what, reference)
    return blocks.replies.internal_error(what, reference)


def on_error(error: Exception, body: dict, response: BoltResponse | None) -> BoltResponse | None:
    """Bolt's global error handler, for what a listener or middleware raised before its ack."""
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

    def later(self, send: Callable[..., object], *args: object) -> None:
        """``send(*args)`` on an answer thread: opening a form within its trigger's 3 s, a reply."""
        self.effects.answer(send, *args)

    def submit(self, send: Callable[..., object], *args: object) -> None:
        """``send(*args)`` on the effects' own threads: Slack work that answers nobody in particular."""
        self.effects.submit(send, *args)

    def tell(self, response_url: str | None, message: Message, user: str) -> None:
        """Answer where the person acted (by DM without a response URL)."""
        self.effects.answer(self.notices.reply, response_url, message, user)


def reply_within(answers: Answers, work: Callable[[], Message | None], what: str, response_url: str | None,
                 user: str) -> Message | None:
    """``outcome(work, what)`` if it is over within the deadline; else ``BUSY``, and the answer through
    ``response_url`` (by DM without one) when the work is over: a silent success then says it is done."""
    tell = _teller(answers, response_url, user)
    answer = answer_within(lambda: outcome(work, what),
                           lambda late: tell(late or blocks.replies.done(what)))
    return blocks.replies.BUSY if answer is LATE else answer


def errors_within(answers: Answers, work: Callable[[], dict[str, str] | None], response_url: str | None,
                  user: str) -> dict[str, str] | None:
    """A form's errors from ``work`` if it is over within the deadline. Late, the form closes without
    errors (its ack cannot wait): ``BUSY`` is sent at once, and any errors follow as a message."""
    tell = _teller(answers, response_url, user)
    errors = answer_within(work, lambda late: late and tell(blocks.replies.form_refused(late)))
    if errors is LATE:
        tell(blocks.replies.BUSY)
        return None
    return errors


def ack_form(ack, errors: dict[str, str] | None) -> None:
    """Close a submitted form, or keep it open with each error next to its field."""
    if errors:
        ack(response_action="errors", errors=errors)
    else:
        ack()


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
    return ThreadPoolExecutor(max_workers=WORK_THREADS, thread_name_prefix="listener-work")
