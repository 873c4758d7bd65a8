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
from bot.slack.blocks import Message, replies
from bot.slack.commands import BY_NAME, Where
from handlers.slack.grammar import declare_args, split, user_mention
from handlers.slack.oncall_grammar import ShowOnCall, parse_oncall
from handlers.slack.replies import reply_within
from models import Incident, Role

if TYPE_CHECKING:
    from bot.app import AppContext

Listener = Callable[..., Message | None]



def register(app: App, ctx: AppContext) -> None:
    commands = IncidentCommands(ctx)
    app.command("/incident")(commands.handle)


class IncidentCommands:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.listeners: dict[str, Listener] = {
            "declare": self.declare, "list": self.list, "help": self.help, "oncall": self.oncall,
            "status": self.status, "resolve": self.resolve, "note": self.note, "ack": self.acknowledge,
            "ic": self.commander, "comms": self.comms_lead, "sev": self.severity, "timeline": self.timeline,
            "page": self.page, "escalate": self.escalate, "update": self.update,
        }
        """Each entry of the command table (``bot.slack.commands``) by name; where it works comes from the table."""

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
        if BY_NAME[sub].where is Where.ANYWHERE:
            return self.listeners[sub](command, rest)
        incident = self.ctx.incidents.in_channel(command["channel_id"], sub)
        return self.listeners[sub](incident, command, rest)

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
            oncall = self.ctx.oncall
            return blocks.oncall_message([oncall.who(asked.schedule)] if asked.schedule else oncall.who_all())
        self.ctx.oncall.check_override(asked.schedule, asked.duration, asked.until)
        self.ctx.effects.answer(self.ctx.notices.take_shift, asked.schedule, asked.user, command["user_id"],
                                asked.duration, asked.until, command.get("response_url"))
        return blocks.checking_person(asked.user)

    def help(self, command: dict, rest: str) -> Message:
        return blocks.help_message()

    # -- in an incident's channel ------------------------------------------------------

    def status(self, incident: Incident, command: dict, rest: str) -> Message:
        if not rest:
            raise UserError("Say which status.", command="status")
        changed = self.ctx.incidents.set_status(incident.id, rest.split()[0], command["user_id"])
        return replies.status_changed(changed)

    def resolve(self, incident: Incident, command: dict, rest: str) -> Message:
        resolved = self.ctx.incidents.resolve(incident.id, command["user_id"], rest or None)
        return replies.resolved(resolved, with_summary=bool(rest))

    def note(self, incident: Incident, command: dict, rest: str) -> Message:
        self.ctx.incidents.add_note(incident.id, command["user_id"], rest)
        return replies.noted(incident)

    def acknowledge(self, incident: Incident, command: dict, rest: str) -> Message:
        acked = self.ctx.incidents.acknowledge(incident.id, command["user_id"])
        return replies.acknowledged(acked)

    def commander(self, incident: Incident, command: dict, rest: str) -> Message:
        return self._hand_over(incident, command, rest, Role.COMMANDER, "ic")

    def comms_lead(self, incident: Incident, command: dict, rest: str) -> Message:
        return self._hand_over(incident, command, rest, Role.COMMS_LEAD, "comms")

    def severity(self, incident: Incident, command: dict, rest: str) -> Message:
        if not rest:
            raise UserError("Say which severity.", command="sev")
        name, _, reason = rest.partition(" ")
        changed = self.ctx.incidents.change_severity(incident.id, name, command["user_id"], reason.strip() or None)
        return replies.severity_changed(changed)

    def page(self, incident: Incident, command: dict, rest: str) -> Message:
        if not rest:
            raise UserError("Say whom to page.", command="page")
        if rest.startswith("<"):
            user = user_mention(rest, "page")
            self.ctx.incidents.page(incident.id, command["user_id"], user=user)
            return replies.paging_person(incident, user)
        service = rest.split()[0]
        self.ctx.incidents.page(incident.id, command["user_id"], service=service)
        return replies.paging_service(incident, service)

    def update(self, incident: Incident, command: dict, rest: str) -> Message:
        posted, _ = self.ctx.incidents.post_update(incident.id, command["user_id"], rest)
        return replies.update_posted(posted)

    def escalate(self, incident: Incident, command: dict, rest: str) -> Message:
        self.ctx.incidents.escalate(incident.id, command["user_id"])
        return replies.escalated(incident)

    def timeline(self, incident: Incident, command: dict, rest: str) -> None:
        self.ctx.effects.submit(self.ctx.notices.post_timeline, incident.id)

    def _hand_over(self, incident: Incident, command: dict, rest: str, role: Role, name: str) -> Message:
        user = user_mention(rest, name)
        self.ctx.incidents.assign_role(incident.id, role, user, command["user_id"])
        return replies.role_handed(incident, role, user)
