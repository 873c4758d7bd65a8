"""Typed readers for the parts of an interactivity payload a listener relies on.

Slack always sends a user, and gives back what the bot put in a button's value or a form's
private_metadata. A signed payload without them is nobody's mistake to fix in Slack: each
reader raises ``MalformedPayload``, which the Bolt error handler (``replies.on_error``)
answers with a 400 and one warning line, instead of a KeyError's 500 and stack trace.
"""

from __future__ import annotations

import json
import re

from bot.slack.ids import Action

_NUMBER = re.compile(r"[0-9]{1,18}")
_SNOOZE_VALUE = re.compile(r"[0-9]{1,18}:[0-9]{1,9}")


class MalformedPayload(Exception):
    """A signed payload that lacks what Slack always sends, or carries what the bot never made."""


def user_id(body: dict) -> str:
    user = body.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        raise MalformedPayload("the payload has no user.id")
    return user["id"]


def check_button_value(action: dict) -> None:
    """The bot's buttons carry an incident id, and a snooze its minutes after it (``12:30``)."""
    value = action.get("value")
    shape = _SNOOZE_VALUE if str(action.get("action_id")).startswith(Action.SNOOZE) else _NUMBER
    if not isinstance(value, str) or not shape.fullmatch(value):
        raise MalformedPayload(f"the button's value {value!r} is not an incident id")


def pressed_on(body: dict) -> tuple[str, str, str] | None:
    """The channel and ts of the message whose button was pressed, and the response URL that can replace
    it; None when the payload lacks any of them (a button in a modal, an odd payload)."""
    container = body.get("container")
    if not isinstance(container, dict):
        return None
    found = (container.get("channel_id"), container.get("message_ts"), body.get("response_url"))
    if not all(isinstance(part, str) and 0 < len(part) <= limit for part, limit in zip(found, (32, 32, 500), strict=True)):
        return None
    return found


def number(value: object, what: str) -> int:
    """A whole number the bot wrote into a form (its private_metadata, an option's value)."""
    if not isinstance(value, str) or not _NUMBER.fullmatch(value):
        raise MalformedPayload(f"{what} {value!r} is not a number")
    return int(value)


def json_object(value: object, what: str) -> dict:
    """A JSON object the bot wrote into a form's private_metadata; empty means none."""
    try:
        parsed = json.loads(value) if value else {}
    except (TypeError, ValueError):
        parsed = None
    if not isinstance(parsed, dict):
        raise MalformedPayload(f"{what} {value!r} is not a JSON object")
    return parsed
