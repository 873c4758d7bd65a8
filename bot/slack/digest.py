"""The weekly retro digest in its channel: the figures and the chart, one post (a timer row's handler)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.retro import digest
from bot.retro.charts import retro_chart
from bot.retro.service import RetroService
from bot.slack.blocks.retro import digest_message, stats_url
from bot.slack.gateway import SlackGateway
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

    def arm(self) -> None:
        """At a worker's start: the next digest is a row (added once, whoever starts first)."""
        with self._sessions() as session, session.begin():
            digest.arm(session, self._config, self._clock.now())

    def fire(self, timer: Timer) -> None:
        """Post the week's digest. The next week's is armed first, so a failed post (retried from this
        row) never costs the following week its digest; a retry first looks in the channel for the
        digest's file, as an earlier attempt may have posted it and died (or lost the answer)."""
        self.arm()
        if self._config.retro is None or self._gateway is None:
            log.info("weekly retro digest skipped: %s", "no retro channel is configured" if self._config.retro
                     is None else "Slack is off")
            return
        weekly = self._retro.digest(digest.reported_week(timer))
        message = digest_message(weekly, stats_url(self._public_url, weekly.period.words))
        chart = retro_chart(weekly, self._config.severity_names())
        channel = self._gateway.channel_id(channel_ref(self._config.retro.channel))
        label = weekly.weeks[-1].label
        filename = f"retro-{label}.png"
        if timer.attempts > 1 and filename in self._gateway.shared_files(channel):
            log.info("weekly retro digest %s was posted by an earlier attempt whose answer was lost", label)
            return
        self._gateway.upload_image(channel, filename, f"Retro {label}", chart, message.text)
