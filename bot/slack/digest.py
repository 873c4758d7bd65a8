"""The weekly retro digest in its channel: the figures and the chart, one post (a timer row's handler)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.people import PeopleDirectory
from bot.retro import digest
from bot.retro.charts import retro_chart
from bot.retro.service import RetroService
from bot.slack.blocks.retro import digest_message, stats_url
from bot.slack.gateway import SlackGateway
from bot.slack.people import PeopleLookup
from bot.slack.sync import channel_ref
from models import Timer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestPoster:
    _sessions: sessionmaker[Session]
    _config: IncidentConfig
    _clock: Clock
    _retro: RetroService
    _gateway: SlackGateway | None
    _public_url: str
    _people: PeopleDirectory | None = None
    _lookup: PeopleLookup | None = None  # the digest is a worker's job: it may wait for Slack's names

    def arm(self) -> None:
        """At a worker's start: the next digest is a row (added once, whoever starts first)."""
        with self._sessions() as session, session.begin():
            digest.arm(session, self._config, self._clock.now())

    def fire(self, timer: Timer) -> None:
        """Post the week's digest. The next week's is armed first, so a failed post (retried from this
        row) never costs the following week its digest."""
        self.arm()
        if self._config.retro is None or self._config.retro.channel is None or self._gateway is None:
            log.info("weekly retro digest skipped: %s", "Slack is off" if self._gateway is None
                     else "no retro channel is configured")
            return
        weekly = self._retro.digest(digest.reported_week(timer))
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
