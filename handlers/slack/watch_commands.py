"""``/incident heartbeats`` (what the pager watches, and whether each checks in) and ``maintenance``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.maintenance.service import MaintenanceService
from bot.slack.blocks import Message
from bot.slack.blocks.watch import heartbeats_message, window_message, windows_message
from bot.watch.heartbeats import HeartbeatService


@dataclass(frozen=True)
class WatchListeners:
    heartbeats: HeartbeatService
    public_url: str

    def listeners(self) -> dict[str, Callable[..., Message]]:
        return {"heartbeats": self.heartbeats_command}

    def heartbeats_command(self, command: dict, rest: str) -> Message:
        return heartbeats_message(self.heartbeats.states(), f"{self.public_url}/heartbeats")


@dataclass(frozen=True)
class MaintenanceListeners:
    maintenance: MaintenanceService

    def listeners(self) -> dict[str, Callable[..., Message]]:
        return {"maintenance": self.open, "maintenance_list": self.listing, "maintenance_end": self.end}

    def open(self, command: dict, rest: str) -> Message:
        return window_message(self.maintenance.open(command["user_id"], rest))

    def listing(self, command: dict, rest: str) -> Message:
        return windows_message(self.maintenance.listing())

    def end(self, command: dict, rest: str) -> Message:
        return window_message(self.maintenance.end(command["user_id"], rest), ended=True)
