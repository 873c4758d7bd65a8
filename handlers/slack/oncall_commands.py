"""``/incident oncall``: who is on call, and taking a shift."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.paging.oncall import OnCallService
from bot.slack import blocks
from bot.slack.blocks import Message
from handlers.slack.oncall_grammar import ShowOnCall, parse_oncall
from handlers.slack.replies import Answers


@dataclass(frozen=True)
class OnCallListeners:
    oncall_service: OnCallService
    tz: ZoneInfo
    clock: Clock
    answers: Answers

    def listeners(self) -> dict[str, Callable[..., Message]]:
        return {"oncall": self.oncall}

    def oncall(self, command: dict, rest: str) -> Message:
        asked = parse_oncall(rest, self.tz, self.clock.now())
        if isinstance(asked, ShowOnCall):
            oncall = self.oncall_service
            return blocks.oncall_message([oncall.who(asked.schedule)] if asked.schedule else oncall.who_all())
        self.oncall_service.check_override(asked.schedule, asked.duration, asked.until)
        self.answers.later(self.answers.notices.take_shift, asked.schedule, asked.user, command["user_id"],
                           asked.duration, asked.until, command.get("response_url"))
        return blocks.checking_person(asked.user)
