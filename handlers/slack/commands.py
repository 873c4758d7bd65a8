"""``/incident``: split the text, find the command's listener, ack with its answer.

Each feature (``features/``) says which of the command table's entries it answers and with what
listener; the wiring hands them all to one ``IncidentCommands``. Where a command works (anywhere,
or in an incident's channel) comes from the table. The ack carries the answer (an ephemeral
message); anything that needs Slack is handed to the answer threads, so no ack waits for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from slack_bolt import Ack

from bot.core.errors import UserError, code
from bot.incidents.service import IncidentService
from bot.slack import blocks
from bot.slack.blocks import Message
from bot.slack.commands import BY_NAME, Where, form
from handlers.slack.grammar import split
from handlers.slack.replies import Answers, reply_within

Listener = Callable[..., Message | None]


class IncidentCommands:
    def __init__(self, listeners: Mapping[str, Listener], incidents: IncidentService, answers: Answers) -> None:
        self.listeners = dict(listeners)
        """Each entry of the command table (``bot.slack.commands``) by name."""
        self.incidents = incidents
        self.answers = answers

    def handle(self, ack: Ack, command: dict) -> None:
        sub, rest = split(command.get("text", ""))
        if not sub:
            self.open_form(command)
            ack()
            return
        reply = reply_within(self.answers, lambda: self.route(sub, rest, command), f"`/incident {sub}`",
                             command.get("response_url"), command["user_id"], command["trigger_id"])
        if reply is None:
            ack()
        else:
            ack(text=reply.text, blocks=reply.blocks or None, response_type="ephemeral")

    def route(self, sub: str, rest: str, command: dict) -> Message | None:
        if sub not in self.listeners:
            raise UserError(f"{code(sub)} is not an {code('/incident')} command.\n{blocks.help_text()}")
        name, rest = form(sub, rest)
        if BY_NAME[name].where is Where.ANYWHERE:
            return self.listeners[name](command, rest)
        incident = self.incidents.in_channel(command["channel_id"], name.replace("_", " "))
        return self.listeners[name](incident, command, rest)

    def open_form(self, command: dict) -> None:
        origin = {"channel_id": command.get("channel_id"), "response_url": command.get("response_url")}
        self.answers.later(self.answers.notices.open_declare_form, command["trigger_id"], origin, command["user_id"])
