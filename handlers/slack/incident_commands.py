"""``/incident declare``, ``status``, ``resolve`` and the other commands about one incident:
parse the text, call the incident service, return the answer (``handlers.slack.commands`` acks it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.core.errors import UserError
from bot.incidents.service import Declaration
from bot.slack import blocks
from bot.slack.blocks import Message, replies
from handlers.slack.grammar import declare_args, user_mention
from models import Incident, Role

if TYPE_CHECKING:
    from bot.app import AppContext

Listener = Callable[..., Message | None]



class IncidentListeners:
    """The commands about incidents themselves: declaring, moving, handing roles, paging, the timeline."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def listeners(self) -> dict[str, Listener]:
        return {
            "declare": self.declare, "list": self.list, "help": self.help,
            "status": self.status, "resolve": self.resolve, "note": self.note, "ack": self.acknowledge,
            "ic": self.commander, "comms": self.comms_lead, "sev": self.severity, "timeline": self.timeline,
            "page": self.page, "escalate": self.escalate, "update": self.update,
        }

    # -- anywhere ----------------------------------------------------------------------

    def declare(self, command: dict, rest: str) -> Message:
        severity, title = declare_args(rest, self.ctx.config.severity_names())
        incident = self.ctx.incidents.declare(Declaration(title=title, severity=severity, declared_by=command["user_id"],
                                                          reply_to=command.get("response_url")))
        return blocks.declared_message(incident)

    def list(self, command: dict, rest: str) -> Message:
        return blocks.incident_list_message(self.ctx.incidents.list_open(), self.ctx.rendering)

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
