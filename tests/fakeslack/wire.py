"""What every method handler of the fake shares: the bot's user id, Slack's error answer, JSON arguments."""

from __future__ import annotations

import json

BOT_USER = "UBOT"


class SlackError(Exception):
    """Raised by a method handler to answer {"ok": false, "error": <code>}."""


def json_arg(value):
    """A JSON-typed argument as data, whether it came in a JSON body or as a string in a form."""
    return json.loads(value) if isinstance(value, str) else value
