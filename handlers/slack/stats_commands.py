"""``/incident stats [4w|this week|since <date>] [service]``: the retro's headline figures, ephemerally."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.retro.service import RetroService
from bot.slack.blocks import Message
from bot.slack.blocks.retro import stats_message, stats_url


@dataclass(frozen=True)
class StatsListeners:
    retro: RetroService
    public_url: str

    def listeners(self) -> dict[str, Callable[..., Message]]:
        return {"stats": self.stats}

    def stats(self, command: dict, rest: str) -> Message:
        headline = self.retro.headline(rest)
        url = stats_url(self.public_url, headline.period.words, headline.service)
        return stats_message(headline, url)
