"""``/incident declare``, ``status``, ``resolve`` and the other commands about one incident:
parse the text, call the incident service, return the answer (``handlers.slack.commands`` acks it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.config import IncidentConfig
from bot.core.errors import UserError
from bot.incidents.service import Declaration, IncidentService
from bot.slack import blocks
from bot.slack.blocks import Message, Rendering, replies
from handlers.slack.grammar import declare_args, drill_args, user_mention
from handlers.slack.replies import Answers
from models import Incident, Role

Listener = Callable[..., Message | None]


@dataclass(frozen=True)
class IncidentListeners:
    """The commands about incidents themselves: declaring, moving, handing roles, paging, the timeline."""

    incidents: IncidentService
    config: IncidentConfig
    rendering: Rendering
    answers: Answers

    def listeners(self) -> dict[str, Listener]:
        return {
            "declare": self.declare, "drill": self.drill, "list": self.list, "help": self.help,
            "status": self.status, "resolve": self.resolve, "note": self.note, "ack": self.acknowledge,
            "ic": self.commander, "comms": self.comms_lead, "sev": self.severity, "timeline": self.timeline,
            "page": self.page, "escalate": self.escalate, "update": self.update,
        }

    # -- anywhere ----------------------------------------------------------------------

    def declare(self, command: dict, rest: str) -> Message:
        severity, title = declare_args(rest, self.config)
        incident = self.incidents.declare(Declaration(title=title, severity=severity, declared_by=command["user_id"],
                                                          reply_to=command.get("response_url")))
        return blocks.declared_message(incident)

    def drill(self, command: dict, rest: str) -> Message:
        """A drill naming people is declared once Slack has said each can be paged (after the ack, as the
        answer follows); one naming nobody pages the declarer, who is there to read the answer."""
        severity, title, people = drill_args(rest, self.config)
        drill = Declaration(title=title, severity=severity, declared_by=command["user_id"], drill=True, people=people,
                            reply_to=command.get("response_url"))
        if not people:
            return blocks.drill_declared_message(self.incidents.declare(drill), [])
        self.incidents.check_severity(drill.severity or self.config.default_severity, "drill")
        self.answers.later(self.declare_drill, drill)
        return blocks.checking_people(people)

    def declare_drill(self, drill: Declaration) -> None:
        """After the ack: the drill pages those Slack can page; naming nobody who can be, it is not declared."""
        notices = self.answers.notices
        unreachable = [(user, why) for user in drill.people if (why := notices.cannot_be_paged(user)) is not None]
        reachable = tuple(user for user in drill.people if user not in dict(unreachable))
        if not reachable:
            notices.reply(drill.reply_to, blocks.drill_refused_message(unreachable), drill.declared_by)
            return
        try:
            incident = self.incidents.declare(replace(drill, people=reachable))
        except UserError as exc:
            notices.reply(drill.reply_to, blocks.user_error_message(exc), drill.declared_by)
            return
        notices.reply(drill.reply_to, blocks.drill_declared_message(incident, unreachable), drill.declared_by)

    def list(self, command: dict, rest: str) -> Message:
        return blocks.incident_list_message(self.incidents.list_open(), self.rendering)

    def help(self, command: dict, rest: str) -> Message:
        return blocks.help_message()

    # -- in an incident's channel ------------------------------------------------------

    def status(self, incident: Incident, command: dict, rest: str) -> Message:
        if not rest:
            raise UserError("Say which status.", command="status")
        changed = self.incidents.set_status(incident.id, rest.split()[0], command["user_id"])
        return replies.status_changed(changed)

    def resolve(self, incident: Incident, command: dict, rest: str) -> Message:
        resolved = self.incidents.resolve(incident.id, command["user_id"], rest or None)
        return replies.resolved(resolved, with_summary=bool(rest))

    def note(self, incident: Incident, command: dict, rest: str) -> Message:
        self.incidents.add_note(incident.id, command["user_id"], rest)
        return replies.noted(incident)

    def acknowledge(self, incident: Incident, command: dict, rest: str) -> Message:
        acked = self.incidents.acknowledge(incident.id, command["user_id"])
        return replies.acknowledged(acked)

    def commander(self, incident: Incident, command: dict, rest: str) -> Message:
        return self._hand_over(incident, command, rest, Role.COMMANDER, "ic")

    def comms_lead(self, incident: Incident, command: dict, rest: str) -> Message:
        return self._hand_over(incident, command, rest, Role.COMMS_LEAD, "comms")

    def severity(self, incident: Incident, command: dict, rest: str) -> Message:
        if not rest:
            raise UserError("Say which severity.", command="sev")
        name, _, reason = rest.partition(" ")
        changed = self.incidents.change_severity(incident.id, name, command["user_id"], reason.strip() or None)
        return replies.severity_changed(changed)

    def page(self, incident: Incident, command: dict, rest: str) -> Message:
        if not rest:
            raise UserError("Say whom to page.", command="page")
        if rest.startswith("<"):
            user = user_mention(rest, "page")
            self.incidents.page(incident.id, command["user_id"], user=user)
            return replies.paging_person(incident, user)
        service = rest.split()[0]
        self.incidents.page(incident.id, command["user_id"], service=service)
        return replies.paging_service(incident, service)

    def update(self, incident: Incident, command: dict, rest: str) -> Message:
        posted, _ = self.incidents.post_update(incident.id, command["user_id"], rest)
        return replies.update_posted(posted)

    def escalate(self, incident: Incident, command: dict, rest: str) -> Message:
        self.incidents.escalate(incident.id, command["user_id"])
        return replies.escalated(incident)

    def timeline(self, incident: Incident, command: dict, rest: str) -> None:
        self.answers.later(self.answers.notices.post_timeline, incident.id, command.get("response_url"),
                           command["user_id"])

    def _hand_over(self, incident: Incident, command: dict, rest: str, role: Role, name: str) -> Message:
        user = user_mention(rest, name)
        self.incidents.assign_role(incident.id, role, user, command["user_id"])
        return replies.role_handed(incident, role, user)
