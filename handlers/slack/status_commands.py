"""``/incident public``: a public update on the status page, or the form for one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.slack.blocks import Message, replies
from models import Incident

if TYPE_CHECKING:
    from bot.app import AppContext


class StatusListeners:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def listeners(self) -> dict[str, Callable[..., Message | None]]:
        return {"public": self.public}

    def public(self, incident: Incident, command: dict, rest: str) -> Message | None:
        """With text and a public title already given, posted at once; otherwise the form (the text
        typed, if any, already in it), since the first public update must name the public title."""
        self.ctx.status.check_speaker(incident.id, command["user_id"])
        if rest.strip() and self.ctx.status.has_title(incident.id):
            self.ctx.status.post(incident.id, command["user_id"], rest)
            return replies.public_posted(incident, self.ctx.rendering)
        self.ctx.effects.answer(self.ctx.notices.open_public_form, command["trigger_id"], incident.id,
                                command["user_id"], command.get("response_url"), rest.strip() or None)
        return None
