"""One-off Slack messages: answers through response URLs, the declare form, posted timelines.

Unlike ``sync`` (the durable state of an incident's Slack side), these are replies to a
person's request; a failure is logged and, where it matters, told to that person.
"""

from __future__ import annotations

import logging

from bot import blocks
from bot.config import IncidentConfig
from bot.incidents import IncidentService
from bot.rotation import Duty
from bot.slack import SLACK_FAILURES, SlackGateway, error_code
from bot.sync import RETRY_STEPS, channel_ref

log = logging.getLogger(__name__)


class Notices:
    def __init__(self, gateway: SlackGateway, incidents: IncidentService, config: IncidentConfig) -> None:
        self._slack = gateway
        self._incidents = incidents
        self._config = config

    def reply(self, response_url: str | None, message: blocks.Message, user: str | None = None) -> None:
        """Answer ephemerally where the person acted; by DM when there is no response URL."""
        try:
            if response_url:
                self._slack.respond(response_url, message)
            elif user:
                self._slack.dm(user, message)
        except SLACK_FAILURES as exc:
            log.warning("could not answer %s: %s", user or response_url, error_code(exc))

    def open_declare_form(self, trigger_id: str, origin: dict, user: str) -> None:
        try:
            self._slack.open_view(trigger_id, blocks.declare_modal(self._config, origin))
        except SLACK_FAILURES as exc:
            self.reply(origin.get("response_url"), blocks.Message(text=(
                f":warning: Slack would not open the declare form ({error_code(exc)}). "
                "Declare with `/incident declare [sevN] <title>` instead.")), user)

    def open_update_form(self, trigger_id: str, incident_id: int, user: str, response_url: str | None) -> None:
        try:
            self._slack.open_view(trigger_id, blocks.update_modal(self._incidents.get(incident_id), self._config))
        except SLACK_FAILURES as exc:
            self.reply(response_url, blocks.Message(text=(
                f":warning: Slack would not open the update form ({error_code(exc)}). "
                "Post it with `/incident update <text>` in the incident's channel instead.")), user)

    def report_setup(self, incident_id: int, response_url: str | None, user: str) -> None:
        """After the first sync of a new incident: if Slack failed, say what and what comes next."""
        number, error = self._incidents.sync_state(incident_id)
        if error:
            retry = int(RETRY_STEPS[-1].total_seconds() // 60)
            self.reply(response_url, blocks.Message(text=(
                f":warning: {number} is recorded, but Slack failed: {error}. "
                f"Nothing is lost: I keep retrying (at least every {retry} minute) and will message you "
                "when its channel is ready. `/incident list` shows it meanwhile.")), user)

    def handoff(self, schedule: str, duty: Duty, channel: str | None) -> None:
        dm, announcement = blocks.handoff_messages(schedule, duty)
        self.reply(None, dm, duty.user)
        if channel:
            try:
                self._slack.post(channel_ref(channel), announcement)
            except SLACK_FAILURES as exc:
                log.warning("could not tell #%s about the %s handoff: %s", channel, schedule, error_code(exc))

    def post_timeline(self, incident_id: int) -> None:
        incident = self._incidents.get(incident_id)
        self._slack.post(incident.channel_id, blocks.timeline_message(incident, incident.events, self._config))


class SlackPager:
    """Pages are DMs with an *Acknowledge* button (the same acknowledgement as the summary's)."""

    def __init__(self, gateway: SlackGateway, config: IncidentConfig) -> None:
        self._slack = gateway
        self._config = config

    def send(self, incident, notification) -> None:
        self._slack.dm(notification.user_id, blocks.page_message(incident, notification, self._config))

    def usergroup_members(self, usergroup: str) -> list[str]:
        return self._slack.usergroup_members(usergroup)
