"""``/incident report``, ``review done``, ``action`` and ``actions``: after the incident."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.errors import UserError, code
from bot.reports.actions import ActionService
from bot.reports.report import ReportService
from bot.reports.review import ReviewService
from bot.slack.blocks import Message, Rendering
from bot.slack.blocks import report as blocks
from bot.slack.report_forms import ReportForms
from handlers.slack.action_grammar import parse_action
from handlers.slack.replies import Answers
from models import Incident

_NUMBER = re.compile(r"#?(\d{1,9})")


@dataclass(frozen=True)
class ReportListeners:
    reports: ReportService
    reviews: ReviewService
    actions_service: ActionService
    report_forms: ReportForms | None
    rendering: Rendering
    answers: Answers

    def listeners(self) -> dict[str, Callable[..., Message | None]]:
        return {"report": self.report, "report_edit": self.edit, "review": self.review, "action": self.action,
                "action_done": self.done, "actions": self.actions, "actions_mine": self.mine}

    def report(self, incident: Incident, command: dict, rest: str) -> Message:
        if rest:
            raise UserError(f"{code('/incident report')} takes no text, and {code(rest)} is not {code('edit')}.",
                            command="report")
        requested = self.reports.request(incident.id)
        return blocks.report_requested(requested, self.rendering)

    def edit(self, incident: Incident, command: dict, rest: str) -> None:
        self.answers.later(self.report_forms.open_report_form, command["trigger_id"], incident.id,
                           command["user_id"], command.get("response_url"))

    def review(self, incident: Incident, command: dict, rest: str) -> Message:
        if rest.lower() != "done":
            raise UserError(f"Say {code('done')} once the post-incident review was held.", command="review")
        return blocks.review_held(self.reviews.held(incident.id, command["user_id"]))

    def action(self, incident: Incident, command: dict, rest: str) -> Message:
        new = parse_action(rest, self.actions_service.today())
        item = self.actions_service.add(incident.id, command["user_id"], new)
        return blocks.action_added(item, incident.number)

    def done(self, incident: Incident, command: dict, rest: str) -> Message:
        number = _NUMBER.fullmatch(rest.strip())
        if number is None:
            raise UserError(f"Say which action item is done, by its number ({code('/incident actions')} lists them).",
                            command="action_done")
        return blocks.action_closed(self.actions_service.complete(incident.id, int(number[1]), command["user_id"]))

    def actions(self, incident: Incident, command: dict, rest: str) -> Message:
        if rest:
            raise UserError(f"{code('/incident actions')} takes no text, or {code('mine')}; not {code(rest)}.", command="actions")
        listed, items = self.actions_service.listed(incident.id)
        return blocks.actions_message(listed, items, self.actions_service.today(), self.rendering)

    def mine(self, command: dict, rest: str) -> Message:
        if rest:
            raise UserError(f"{code('/incident actions mine')} takes no more text; not {code(rest)}.", command="actions_mine")
        owned = self.actions_service.mine(command["user_id"])
        return blocks.my_actions_message(owned, self.actions_service.today(), self.rendering)
