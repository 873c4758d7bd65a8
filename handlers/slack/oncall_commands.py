"""``/incident oncall``: who is on call, and taking a shift."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.slack import blocks
from bot.slack.blocks import Message
from handlers.slack.oncall_grammar import ShowOnCall, parse_oncall

if TYPE_CHECKING:
    from bot.app import AppContext


class OnCallListeners:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def listeners(self) -> dict[str, Callable[..., Message]]:
        return {"oncall": self.oncall}

    def oncall(self, command: dict, rest: str) -> Message:
        asked = parse_oncall(rest, self.ctx.config.tz, self.ctx.clock.now())
        if isinstance(asked, ShowOnCall):
            oncall = self.ctx.oncall
            return blocks.oncall_message([oncall.who(asked.schedule)] if asked.schedule else oncall.who_all())
        self.ctx.oncall.check_override(asked.schedule, asked.duration, asked.until)
        self.ctx.effects.answer(self.ctx.notices.take_shift, asked.schedule, asked.user, command["user_id"],
                                asked.duration, asked.until, command.get("response_url"))
        return blocks.checking_person(asked.user)
