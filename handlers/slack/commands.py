"""``/incident``: split the text, find the command's listener, ack with its answer.

Each group of commands lives in a module of its own (``incident_commands``, ``oncall_commands``,
and one per feature) and says which of the command table's entries it answers; where a command
works (anywhere, or in an incident's channel) comes from the table. The ack carries the answer
(an ephemeral message); anything that needs Slack is handed to ``ctx.effects``, so no ack waits for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from slack_bolt import Ack, App

from bot.core.errors import UserError
from bot.slack import blocks
from bot.slack.blocks import Message
from bot.slack.commands import BY_NAME, Where, form
from handlers.slack.contact_commands import ContactListeners
from handlers.slack.grammar import split
from handlers.slack.incident_commands import IncidentListeners
from handlers.slack.oncall_commands import OnCallListeners
from handlers.slack.replies import reply_within
from handlers.slack.report_commands import ReportListeners
from handlers.slack.stats_commands import StatsListeners
from handlers.slack.status_commands import StatusListeners
from handlers.slack.watch_commands import WatchListeners

if TYPE_CHECKING:
    from bot.app import AppContext

Listener = Callable[..., Message | None]

GROUPS = (IncidentListeners, OnCallListeners, StatusListeners, ReportListeners, StatsListeners,
          ContactListeners, WatchListeners)
"""Every group of listeners; a feature adds its own here."""


def register(app: App, ctx: AppContext) -> None:
    commands = IncidentCommands(ctx)
    app.command("/incident")(commands.handle)


class IncidentCommands:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.listeners: dict[str, Listener] = {}
        """Each entry of the command table (``bot.slack.commands``) by name."""
        for group in GROUPS:
            self.listeners.update(group(ctx).listeners())

    def handle(self, ack: Ack, command: dict) -> None:
        sub, rest = split(command.get("text", ""))
        if not sub:
            self.open_form(command)
            ack()
            return
        reply = reply_within(self.ctx, lambda: self.route(sub, rest, command), f"`/incident {sub}`",
                             command.get("response_url"), command["user_id"])
        if reply is None:
            ack()
        else:
            ack(text=reply.text, blocks=reply.blocks or None, response_type="ephemeral")

    def route(self, sub: str, rest: str, command: dict) -> Message | None:
        if sub not in self.listeners:
            raise UserError(f"`{sub}` is not an `/incident` command.\n{blocks.help_text()}")
        name, rest = form(sub, rest)
        if BY_NAME[name].where is Where.ANYWHERE:
            return self.listeners[name](command, rest)
        incident = self.ctx.incidents.in_channel(command["channel_id"], name.replace("_", " "))
        return self.listeners[name](incident, command, rest)

    def open_form(self, command: dict) -> None:
        origin = {"channel_id": command.get("channel_id"), "response_url": command.get("response_url")}
        self.ctx.effects.answer(self.ctx.notices.open_declare_form, command["trigger_id"], origin, command["user_id"])
