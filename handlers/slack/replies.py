"""The one place where handler errors become answers.

A ``UserError`` is the person's to fix: its text is shown to them, ephemerally. A
``MalformedPayload`` is nobody's: a 400 and one warning line. Anything else is ours: it is
logged with its context, and the person gets a short apology with a reference to find it in
the log, never a stack trace.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from slack_bolt import BoltResponse

from bot.core.errors import UserError
from bot.slack.blocks import Message
from handlers.slack.payloads import MalformedPayload

log = logging.getLogger(__name__)


def outcome(work: Callable[[], Message | None], what: str) -> Message | None:
    """Run ``work``; return its reply, or the message that explains why it failed."""
    try:
        return work()
    except UserError as exc:
        return Message(text=f":warning: {exc}")
    except Exception:
        return internal_error(what)


def internal_error(what: str) -> Message:
    """Log the exception being handled and give the person a reference to it."""
    reference = uuid.uuid4().hex[:8]
    log.exception("%s failed (reference %s)", what, reference)
    return Message(text=(
        f":boom: Something went wrong on our side while handling {what} (reference `{reference}`). "
        "Nothing you typed was wrong. `/incident list` shows what is recorded; try again in a moment."
    ))


def on_error(error: Exception, body: dict, response: BoltResponse | None) -> BoltResponse | None:
    """Bolt's global error handler, for what a listener or middleware raised before its ack."""
    if not isinstance(error, MalformedPayload):
        log.error("Bolt could not handle a %s request", body.get("type") or body.get("command"), exc_info=error)
        return None
    log.warning("refused a malformed %s payload: %s", body.get("type") or "Slack", error)
    return None if response is None else BoltResponse(status=400, body={"error": str(error)})
