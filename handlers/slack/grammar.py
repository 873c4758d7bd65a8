"""The ``/incident`` text grammar: pure parsing, no database and no Slack.

Slack escapes the command text (``should_escape: true``), so a mention arrives as
``<@U123|alice>`` and a channel as ``<#C123|name>``.
"""

from __future__ import annotations

import re

from bot.config import IncidentConfig
from bot.core.errors import UserError, code

_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def split(text: str) -> tuple[str, str]:
    """``"status mitigated"`` → ``("status", "mitigated")``; the subcommand is lowercased."""
    head, _, rest = text.strip().partition(" ")
    return head.lower(), rest.strip()


def user_mention(text: str, command: str) -> str:
    """The user id of a mention, or a message saying what to type instead."""
    token = text.strip().split(" ", 1)[0] if text.strip() else ""
    if not token:
        raise UserError("Name a person.", command=command)
    match = _USER.match(token)
    if match:
        return match.group(1)
    if token.startswith("<!subteam^"):
        what = "a user group"
    elif token.startswith("<#"):
        what = "a channel"
    elif token.startswith("<!"):
        what = "a special mention"
    else:
        what = "plain text"
    raise UserError(
        f"{code(_readable(token))} is {what}, not a Slack user. Pick the person from Slack's @ autocomplete "
        "so it becomes a mention.", command=command)


def declare_args(text: str, config: IncidentConfig, command: str = "declare") -> tuple[str | None, str]:
    """``"sev1 Checkout down"`` → ``("sev1", "Checkout down")``; the severity is optional, so only its
    name is read there (a title may begin with a label's word: "Low disk on db1")."""
    first, _, rest = text.strip().partition(" ")
    if (severity := config.severity_named(first, labels=False)) is not None:
        return severity, rest.strip()
    if re.fullmatch(r"sev\d+", first.lower()):
        raise UserError(f"Unknown severity {code(first)}; use one of {', '.join(config.severity_names())}.",
                        command=command)
    return None, text.strip()


def drill_args(text: str, config: IncidentConfig) -> tuple[str | None, str, tuple[str, ...]]:
    """``"sev2 Failover rehearsal <@U1> <@U2>"`` → ``("sev2", "Failover rehearsal", ("U1", "U2"))``: the
    people come last; a trailing ``@name`` Slack did not make a mention (nobody by that name) is refused."""
    words = text.split()
    people: list[str] = []
    while words and words[-1].startswith(("<@", "@", "<!")):
        people.insert(0, user_mention(words.pop(), "drill"))
    severity, title = declare_args(" ".join(words), config, "drill")
    if not title:
        raise UserError(f"A drill needs a title, what is rehearsed (such as {code('Payments failover')}).",
                        command="drill")
    return severity, title, tuple(dict.fromkeys(people))


def _readable(token: str) -> str:
    """``<#C1|ops>`` → ``#ops``, ``<!subteam^S1|@sre>`` → ``@sre``: what the person saw."""
    if "|" in token and token.startswith("<") and token.endswith(">"):
        label = token[token.index("|") + 1 : -1]
        return label if token.startswith("<!") else ("#" + label if token.startswith("<#") else label)
    return token
