"""The weekly retro digest in its channel: the figures and the chart, one post (``bot.retro.digest`` says when)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import IncidentConfig
from bot.people import PeopleDirectory
from bot.retro.charts import retro_chart
from bot.retro.service import Weekly
from bot.slack.blocks.retro import digest_message, stats_url
from bot.slack.gateway import SlackGateway
from bot.slack.people import PeopleLookup
from bot.slack.sync import channel_ref


@dataclass(frozen=True)
class DigestPoster:
    _config: IncidentConfig
    _gateway: SlackGateway
    _public_url: str
    _people: PeopleDirectory | None = None
    _lookup: PeopleLookup | None = None  # the digest is a worker's job: it may wait for Slack's names

    def post(self, weekly: Weekly) -> None:
        names = self._names({p.user_id for people in weekly.people.values() for p in people})
        message = digest_message(weekly, stats_url(self._public_url, weekly.period.words), names)
        chart = retro_chart(weekly, self._config.severity_names(), names=names)
        channel = self._gateway.channel_id(channel_ref(self._config.retro.channel))
        label = weekly.weeks[-1].label
        self._gateway.upload_image(channel, f"retro-{label}.png", f"Retro {label}", chart, message.text)

    def _names(self, user_ids: set[str]) -> dict[str, str]:
        """Names, not mentions: a digest that mentioned people would ping them every Monday."""
        if self._people is None:
            return {}
        if self._lookup is not None:
            self._lookup.refresh(user_ids)
        return self._people.names(user_ids)
