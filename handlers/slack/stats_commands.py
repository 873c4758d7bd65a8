"""``/incident stats [4w|this week|since <date>] [service]``: the retro's headline figures, ephemerally."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.slack.blocks import Message
from bot.slack.blocks.retro import stats_message, stats_url

if TYPE_CHECKING:
    from bot.app import AppContext


class StatsListeners:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def listeners(self) -> dict[str, Callable[..., Message]]:
        return {"stats": self.stats}

    def stats(self, command: dict, rest: str) -> Message:
        headline = self.ctx.retro.headline(rest)
        url = stats_url(self.ctx.settings.public_url, headline.period.words, headline.service)
        return stats_message(headline, url)
