"""Typed errors for problems the person in Slack (or the caller over HTTP) can fix.

Domain code raises them; one place per transport turns them into an ephemeral message, a
modal field error or a 4xx body. Anything else is our bug and is logged with its context.
"""


class UserError(Exception):
    """A problem the user can fix. ``str()`` says what was wrong; ``command`` names the command whose
    right form helps (the Slack side shows its usage), ``field`` the form field or body key at fault."""

    def __init__(self, message: str, *, command: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.command = command
        self.field = field

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
