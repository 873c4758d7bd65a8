"""Who did something: a Slack user, or a system such as Alertmanager."""

import re

_SLACK_USER = re.compile(r"^[UW][A-Z0-9]+$")


def is_user(actor: str | None) -> bool:
    return bool(actor and _SLACK_USER.match(actor))


def mention(actor: str | None) -> str:
    """``<@U123>`` for a person (Slack shows their name), the system's name otherwise."""
    if actor is None:
        return "_nobody_"
    return f"<@{actor}>" if is_user(actor) else actor
