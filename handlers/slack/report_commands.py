"""``/incident report``, ``review done``, ``action`` and ``actions``: after the incident."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.core.errors import UserError
from bot.slack.blocks import Message
from bot.slack.blocks import report as blocks
from handlers.slack.action_grammar import parse_action
from models import Incident

if TYPE_CHECKING:
    from bot.app import AppContext

_NUMBER = re.compile(r"#?(\d{1,9})")


class ReportListeners:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def listeners(self) -> dict[str, Callable[..., Message | None]]:
        return {"report": self.report, "report_edit": self.edit, "review": self.review, "action": self.action,
                "action_done": self.done, "actions": self.actions, "actions_mine": self.mine}

    def report(self, incident: Incident, command: dict, rest: str) -> Message:
        if rest:
            raise UserError(f"`/incident report` takes no text, and `{rest}` is not `edit`.", command="report")
        requested = self.ctx.reports.request(incident.id)
        return blocks.report_requested(requested, self.ctx.rendering)

    def edit(self, incident: Incident, command: dict, rest: str) -> None:
        self.ctx.effects.answer(self.ctx.report_forms.open_report_form, command["trigger_id"], incident.id,
                                command["user_id"], command.get("response_url"))

    def review(self, incident: Incident, command: dict, rest: str) -> Message:
        if rest.lower() != "done":
            raise UserError("Say `done` once the post-incident review was held.", command="review")
        return blocks.review_held(self.ctx.reviews.held(incident.id, command["user_id"]))

    def action(self, incident: Incident, command: dict, rest: str) -> Message:
        new = parse_action(rest, self.ctx.actions.today())
        item = self.ctx.actions.add(incident.id, command["user_id"], new)
        return blocks.action_added(item, incident.number)

    def done(self, incident: Incident, command: dict, rest: str) -> Message:
        number = _NUMBER.fullmatch(rest.strip())
        if number is None:
            raise UserError("Say which action item is done, by its number (`/incident actions` lists them).",
                            command="action_done")
        return blocks.action_closed(self.ctx.actions.complete(incident.id, int(number[1]), command["user_id"]))

    def actions(self, incident: Incident, command: dict, rest: str) -> Message:
        if rest:
            raise UserError(f"`/incident actions` takes no text, or `mine`; not `{rest}`.", command="actions")
        listed, items = self.ctx.actions.listed(incident.id)
        return blocks.actions_message(listed, items, self.ctx.actions.today(), self.ctx.rendering)

    def mine(self, command: dict, rest: str) -> Message:
        if rest:
            raise UserError(f"`/incident actions mine` takes no more text; not `{rest}`.", command="actions_mine")
        owned = self.ctx.actions.mine(command["user_id"])
        return blocks.my_actions_message(owned, self.ctx.actions.today(), self.ctx.rendering)
