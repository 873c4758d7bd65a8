"""Typed errors for problems the person in Slack (or the caller over HTTP) can fix.

Domain code raises them; one place per transport turns them into an ephemeral message, a
modal field error or a 4xx body. Anything else is our bug and is logged with its context.
"""

import re
from collections.abc import Callable

_OPEN, _CLOSE = "\x0e", "\x0f"
"""Marks around a literal in a message: control characters nobody types, and ``code`` drops any given."""


def code(literal: object) -> str:
    """``literal`` (a command, a key, a value as typed) marked in a ``UserError``'s message, so that
    each transport shows it its own way: Slack as code, HTTP and the CLI as the bare words."""
    text = str(literal).replace(_OPEN, "").replace(_CLOSE, "")
    return f"{_OPEN}{text}{_CLOSE}"


_MARKED = re.compile(f"{_OPEN}([^{_OPEN}{_CLOSE}]*){_CLOSE}")


class UserError(Exception):
    """A problem the user can fix. ``str()`` says what was wrong in plain text; ``command`` names the
    command whose right form helps (the Slack side shows its usage), ``field`` the form field or body
    key at fault. The message is written with its literals marked by ``code``; ``rendered`` shows them."""

    def __init__(self, message: str, *, command: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.marked = message
        self.command = command
        self.field = field

    @property
    def message(self) -> str:
        """What was wrong, as plain text (HTTP bodies, the CLI, SMS and voice)."""
        return self.rendered(str)

    def rendered(self, literal: Callable[[str], str]) -> str:
        """The message with each literal marked by ``code`` turned into ``literal(text)``."""
        return _MARKED.sub(lambda match: literal(match[1]), self.marked)

    def __str__(self) -> str:
        return self.message


class NotAnIncidentChannel(UserError):
    pass


class IncidentNotFound(UserError):
    pass


class InvalidTransition(UserError):
    """The incident is not in a state where this makes sense (already resolved, already acked)."""


class PageNotDelivered(Exception):
    """A page (or the lookup of whom to page) failed. ``permanent`` when trying again cannot help
    (the person left); otherwise it is retried with backoff, or after ``wait`` seconds when the way
    to them only asks to wait (a rate limit: that is no failure)."""

    def __init__(self, reason: str, *, permanent: bool, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.wait = wait
