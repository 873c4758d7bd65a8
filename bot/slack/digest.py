"""The weekly retro digest in its channel: the figures and the chart, one post (``bot.retro.digest`` says when)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import IncidentConfig
from bot.retro.charts import retro_chart
from bot.retro.service import Weekly
from bot.slack.blocks.retro import digest_message, stats_url
from bot.slack.gateway import SlackGateway
from bot.slack.sync import channel_ref


@dataclass(frozen=True)
class DigestPoster:
    _config: IncidentConfig
    _gateway: SlackGateway
    _public_url: str

    def post(self, weekly: Weekly) -> None:
        message = digest_message(weekly, stats_url(self._public_url, weekly.period.words))
        chart = retro_chart(weekly, self._config.severity_names())
        channel = self._gateway.channel_id(channel_ref(self._config.retro.channel))
        label = weekly.weeks[-1].label
        self._gateway.upload_image(channel, f"retro-{label}.png", f"Retro {label}", chart, message.text)
