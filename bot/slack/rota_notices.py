"""Slack's side of time off, cover requests and findings: DMs to the people taking shifts, the cover
request's message (posted, then re-rendered when taken or cancelled), and gaps and conflicts said once."""

from __future__ import annotations

import logging
from itertools import groupby

from bot.config import IncidentConfig
from bot.paging.cover import CoverService
from bot.paging.gaps import Finding, GapCheck
from bot.paging.time_off import AwayAdded
from bot.slack import blocks
from bot.slack.gateway import SLACK_FAILURES, SlackGateway, error_code
from bot.slack.sync import channel_ref
from models.oncall import CoverRequest

log = logging.getLogger(__name__)


class RotaNotices:
    def __init__(self, gateway: SlackGateway, config: IncidentConfig, cover: CoverService, gaps: GapCheck) -> None:
        self._slack = gateway
        self._config = config
        self._cover = cover
        self._gaps = gaps

    def away(self, user: str, added: AwayAdded) -> None:
        """Tell each person taking ``user``'s shifts which ones, then say what the change leaves uncovered."""
        takers = sorted((h for h in added.handovers if h.user and h.user != user), key=lambda h: h.user)
        for taker, handovers in groupby(takers, key=lambda h: h.user):
            self._dm(taker, blocks.rota.shift_handed_over(user, list(handovers)))
        self.say_findings()

    def post_cover(self, row: CoverRequest) -> None:
        try:
            channel, ts = self._slack.post(channel_ref(row.channel), blocks.rota.cover_request(row))
        except SLACK_FAILURES as exc:
            log.warning("could not post cover request %s in %s: %s", row.id, row.channel, error_code(exc))
            self._dm(row.requested_by, blocks.Message(text=(
                f":warning: Slack would not post cover request {row.id} in {channel_ref(row.channel)} "
                f"({error_code(exc)}): invite the bot there, or ask in the channel yourself.")))
            return
        self._cover.posted(row.id, channel, ts)

    def cover_changed(self, row: CoverRequest) -> None:
        """Re-render the request's message (taken, cancelled) and tell the requester who took it."""
        if row.channel and row.ts:
            try:
                self._slack.update(row.channel, row.ts, blocks.rota.cover_request(row))
            except SLACK_FAILURES as exc:
                log.warning("could not update cover request %s: %s", row.id, error_code(exc))
        if row.taken_by:
            self._dm(row.requested_by, blocks.rota.cover_taken(row))
            self.say_findings()

    def say_findings(self) -> None:
        """Every gap or conflict not said before, in one message per channel where gaps are said. A message
        Slack refuses gives its findings back (``GapCheck.unclaim``), so the next check says them."""
        by_channel: dict[str, list[Finding]] = {}
        for finding in self._gaps.new_findings():
            by_channel.setdefault(self._channel_for(finding), []).append(finding)
        for channel, findings in by_channel.items():
            try:
                self._slack.post(channel_ref(channel), blocks.rota.finding_notice(findings))
            except SLACK_FAILURES as exc:
                log.warning("could not say %d gaps and conflicts in %s: %s", len(findings), channel, error_code(exc))
                self._gaps.unclaim(findings)

    def _channel_for(self, finding: Finding) -> str:
        schedule = self._config.schedules.get((finding.schedule or "").split(",")[0])
        return (self._config.oncall.gaps_channel or (schedule.channel if schedule else None)
                or self._config.slack.announce_channel)

    def _dm(self, user: str, message: blocks.Message) -> None:
        try:
            self._slack.dm(user, message)
        except SLACK_FAILURES as exc:
            log.warning("could not DM %s: %s", user, error_code(exc))
