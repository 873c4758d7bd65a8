"""``/incident oncall``: who is on call, and taking a shift."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.errors import UserError
from bot.paging.oncall import CannotTakeShifts, OnCallService
from bot.slack import blocks
from bot.slack.blocks import Message
from handlers.slack.oncall_grammar import AddOverride, ShowOnCall, parse_oncall
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
        self.answers.later(self.take_shift, asked, command["user_id"], command.get("response_url"))
        return blocks.checking_person(asked.user)

    def take_shift(self, asked: AddOverride, actor: str, response_url: str | None) -> None:
        """After the ack (Slack is asked whether the person can be paged): the shift, and whoever it
        replaces told, by DM, who made the change."""
        notices = self.answers.notices
        try:
            taken = self.oncall_service.take_shift(asked.schedule, asked.user, actor, asked.duration, asked.until,
                                                   notices.cannot_be_paged)
        except CannotTakeShifts as exc:
            notices.reply(response_url, blocks.cannot_take_shifts(exc.user, exc.why), actor)
            return
        except UserError as exc:
            notices.reply(response_url, blocks.user_error_message(exc), actor)
            return
        notices.reply(response_url, blocks.override_message(taken.override), actor)
        for replaced in taken.replaced:
            notices.reply(None, blocks.shift_taken_message(taken.override), replaced)
