"""``/incident``: parse the text, call the incident service, ack with the answer.

The ack carries the answer (an ephemeral message). Anything that needs Slack is handed to
``ctx.effects`` (queued before the ack, run after it), so no ack waits for Slack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from slack_bolt import Ack, App

from bot.core.errors import UserError
from bot.incidents.service import Declaration
from bot.slack import blocks
from bot.slack.blocks import Message
from handlers.slack.grammar import declare_args, split, user_mention
from handlers.slack.oncall_grammar import ShowOnCall, parse_oncall
from handlers.slack.replies import reply_within
from models import Incident, Role

if TYPE_CHECKING:
    from bot.app import AppContext

CommandFn = Callable[[dict, str], Message | None]
ChannelFn = Callable[[Incident, dict, str], Message | None]



def register(app: App, ctx: AppContext) -> None:
    commands = IncidentCommands(ctx)
    app.command("/incident")(commands.handle)


class IncidentCommands:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.anywhere: dict[str, CommandFn] = {"declare": self.declare, "list": self.list, "help": self.help,
                                               "oncall": self.oncall}
        self.in_channel: dict[str, ChannelFn] = {
            "status": self.status, "resolve": self.resolve, "note": self.note, "ack": self.acknowledge,
            "ic": self.commander, "comms": self.comms_lead, "sev": self.severity, "timeline": self.timeline,
            "page": self.page, "escalate": self.escalate, "update": self.update,
        }

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
        if sub in self.anywhere:
            return self.anywhere[sub](command, rest)
        if sub in self.in_channel:
            incident = self.ctx.incidents.in_channel(command["channel_id"], sub)
            return self.in_channel[sub](incident, command, rest)
        raise UserError(f"`{sub}` is not an `/incident` command.\n{blocks.HELP}")

    # -- anywhere ----------------------------------------------------------------------

    def open_form(self, command: dict) -> None:
        origin = {"channel_id": command.get("channel_id"), "response_url": command.get("response_url")}
        self.ctx.effects.answer(self.ctx.notices.open_declare_form, command["trigger_id"], origin, command["user_id"])

    def declare(self, command: dict, rest: str) -> Message:
        severity, title = declare_args(rest, self.ctx.config.severity_names())
        incident = self.ctx.incidents.declare(Declaration(title=title, severity=severity, declared_by=command["user_id"]))
        self.ctx.effects.after_sync(incident.id, lambda: self.ctx.notices.report_setup(
            incident.id, command.get("response_url"), command["user_id"]))
        return blocks.declared_message(incident)

    def list(self, command: dict, rest: str) -> Message:
        return blocks.incident_list_message(self.ctx.incidents.list_open(), self.ctx.rendering)

    def oncall(self, command: dict, rest: str) -> Message:
        asked = parse_oncall(rest, self.ctx.config.tz, self.ctx.clock.now())
        if isinstance(asked, ShowOnCall):
            return blocks.oncall_message(self.ctx.oncall.who(asked.schedule))
        override = self.ctx.oncall.add_override(asked.schedule, asked.user, command["user_id"], asked.duration, asked.until)
        return blocks.override_message(override.schedule, override.user_id, override.starts_at, override.ends_at)

    def help(self, command: dict, rest: str) -> Message:
        return Message(text=blocks.HELP)

    # -- in an incident's channel ------------------------------------------------------

    def status(self, incident: Incident, command: dict, rest: str) -> Message:
        if not rest:
            raise UserError("Say which status.", usage="/incident status <investigating|identified|mitigated|resolved>")
        changed = self.ctx.incidents.set_status(incident.id, rest.split()[0], command["user_id"])
        return Message(text=f"{changed.number} is now *{changed.status}*.")

    def resolve(self, incident: Incident, command: dict, rest: str) -> Message:
        resolved = self.ctx.incidents.resolve(incident.id, command["user_id"], rest or None)
        hint = "" if rest else " Add what fixed it with `/incident note <text>`, it goes into the report."
        return Message(text=f"{resolved.number} is resolved.{hint}")

    def note(self, incident: Incident, command: dict, rest: str) -> Message:
        self.ctx.incidents.add_note(incident.id, command["user_id"], rest)
        return Message(text=f"Added to the timeline of {incident.number}.")

    def acknowledge(self, incident: Incident, command: dict, rest: str) -> Message:
        acked = self.ctx.incidents.acknowledge(incident.id, command["user_id"])
        return Message(text=f"You acknowledged {acked.number}.")

    def commander(self, incident: Incident, command: dict, rest: str) -> Message:
        return self._hand_over(incident, command, rest, Role.COMMANDER, "/incident ic @user")

    def comms_lead(self, incident: Incident, command: dict, rest: str) -> Message:
        return self._hand_over(incident, command, rest, Role.COMMS_LEAD, "/incident comms @user")

    def severity(self, incident: Incident, command: dict, rest: str) -> Message:
        if not rest:
            raise UserError("Say which severity.", usage="/incident sev <sevN> [reason]")
        name, _, reason = rest.partition(" ")
        changed = self.ctx.incidents.change_severity(incident.id, name, command["user_id"], reason.strip() or None)
        return Message(text=f"{changed.number} is now {changed.severity}.")

    def page(self, incident: Incident, command: dict, rest: str) -> Message:
        usage = "/incident page <service|@user>"
        if not rest:
            raise UserError("Say whom to page.", usage=usage)
        if rest.startswith("<"):
            user = user_mention(rest, usage)
            self.ctx.incidents.page(incident.id, command["user_id"], user=user)
            return Message(text=f"Paging <@{user}> for {incident.number} until they acknowledge.")
        service = rest.split()[0]
        self.ctx.incidents.page(incident.id, command["user_id"], service=service)
        return Message(text=f"Paging the on-call chain of `{service}` for {incident.number}.")

    def update(self, incident: Incident, command: dict, rest: str) -> Message:
        posted = self.ctx.updates.post(incident.id, command["user_id"], rest)
        return Message(text=f"Update posted for {posted.number}: in the channel, the announcement's thread and "
                            "to subscribers. The next one is due " + blocks.slack_date(posted.update_due_at) + ".")

    def escalate(self, incident: Incident, command: dict, rest: str) -> Message:
        self.ctx.incidents.escalate(incident.id, command["user_id"])
        return Message(text=f"Paging the next level for {incident.number} now.")

    def timeline(self, incident: Incident, command: dict, rest: str) -> None:
        self.ctx.effects.submit(self.ctx.notices.post_timeline, incident.id)

    def _hand_over(self, incident: Incident, command: dict, rest: str, role: Role, usage: str) -> Message:
        user = user_mention(rest, usage)
        self.ctx.incidents.assign_role(incident.id, role, user, command["user_id"])
        return Message(text=f"<@{user}> is now the {role.title} of {incident.number}.")
