"""``/incident heartbeats``: what the pager watches, and whether each is checking in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.slack.blocks import Message
from bot.slack.blocks.watch import heartbeats_message

if TYPE_CHECKING:
    from bot.app import AppContext


class WatchListeners:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def listeners(self) -> dict[str, Callable[..., Message]]:
        return {"heartbeats": self.heartbeats}

    def heartbeats(self, command: dict, rest: str) -> Message:
        return heartbeats_message(self.ctx.heartbeats.states(), f"{self.ctx.settings.public_url}/heartbeats")
