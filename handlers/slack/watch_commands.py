"""``/incident heartbeats``: what the pager watches, and whether each is checking in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.slack.blocks import Message
from bot.slack.blocks.watch import heartbeats_message
from bot.watch.heartbeats import HeartbeatService


@dataclass(frozen=True)
class WatchListeners:
    heartbeats: HeartbeatService
    public_url: str

    def listeners(self) -> dict[str, Callable[..., Message]]:
        return {"heartbeats": self.heartbeats_command}

    def heartbeats_command(self, command: dict, rest: str) -> Message:
        return heartbeats_message(self.heartbeats.states(), f"{self.public_url}/heartbeats")
