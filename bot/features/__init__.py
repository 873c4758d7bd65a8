"""Features: each module here is one feature, and says in one place everything it adds to the bot.

A feature is built from only the services it needs (``feature(...)`` in its module takes them as
arguments) and returns a ``Feature``: its entries of the ``/incident`` command table
(``bot.slack.commands`` stays the one list of names, usages and help), its Slack listeners
(buttons, forms, events), its timer handlers, its periodic jobs, and its HTTP routes and pages.
The wiring (``bot.app``) builds every feature and composes them; it is the only module that
knows them all. Adding a feature is a module here and one line in ``bot.app.features``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.jobs.scheduler import Every

if TYPE_CHECKING:
    from slack_bolt import App
    from starlette.routing import BaseRoute

    from bot.slack.blocks import Message
    from bot.web.app import Web
    from models import Timer

__all__ = ["CommandListener", "Every", "Feature"]

CommandListener = Callable[..., "Message | None"]
"""``(command, rest)`` for a command that works anywhere, ``(incident, command, rest)`` for one
that works in an incident's channel (the command table says which); returns the ephemeral answer."""


@dataclass(frozen=True)
class Feature:
    name: str
    commands: Mapping[str, CommandListener] = field(default_factory=dict)
    """Listeners by the name of their entry in ``bot.slack.commands.COMMANDS``."""
    slack: Callable[[App], None] | None = None
    """Registers the feature's buttons, forms and events on the Bolt app (only while Slack is on)."""
    timers: Mapping[str, Callable[[Timer], None]] = field(default_factory=dict)
    """Handlers of the feature's ``timers`` rows, by kind."""
    jobs: Sequence[Every] = ()
    """Periodic jobs, run by the worker."""
    at_start: Sequence[Callable[[], None]] = ()
    """Run once when a worker starts (arming a recurring timer)."""
    routes: Callable[[Web], Sequence[BaseRoute]] | None = None
    """The feature's HTTP routes and pages, given what every page shares."""
