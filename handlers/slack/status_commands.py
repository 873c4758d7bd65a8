"""``/incident public``: a public update on the status page, or the form for one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.slack.blocks import Message, Rendering, replies
from bot.status.service import StatusService
from handlers.slack.replies import Answers
from models import Incident


@dataclass(frozen=True)
class StatusListeners:
    status: StatusService
    rendering: Rendering
    answers: Answers

    def listeners(self) -> dict[str, Callable[..., Message | None]]:
        return {"public": self.public}

    def public(self, incident: Incident, command: dict, rest: str) -> Message | None:
        """With text and a public title already given, posted at once; otherwise the form (the text
        typed, if any, already in it), since the first public update must name the public title."""
        self.status.check_speaker(incident.id, command["user_id"])
        if rest.strip() and self.status.has_title(incident.id):
            self.status.post(incident.id, command["user_id"], rest)
            return replies.public_posted(incident, self.rendering)
        self.answers.later(self.answers.notices.open_public_form, command["trigger_id"], incident.id,
                               command["user_id"], command.get("response_url"), rest.strip() or None)
        return None
