"""Paging through Slack: a page is a DM with an *Acknowledge* button (the same acknowledgement as the summary's).

The paging service knows nothing of Slack; this adapter turns Slack's refusals into the domain's
``PageNotDelivered``, saying whether trying again can help.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.core.errors import PageNotDelivered
from bot.slack import blocks
from bot.slack.gateway import SLACK_FAILURES, SlackGateway, error_code

UNREACHABLE_PEOPLE = frozenset({"channel_not_found", "user_not_found", "is_bot", "messages_tab_disabled",
                                "user_disabled", "account_inactive"})
"""Answers that will not change by trying again: the person left, is a bot, or cannot get DMs from the app."""


class SlackPager:
    """Pages are DMs with an *Acknowledge* button (the same acknowledgement as the summary's)."""

    def __init__(self, gateway: SlackGateway, rendering: blocks.Rendering) -> None:
        self._slack = gateway
        self._rendering = rendering

    def send(self, incident, notification) -> None:
        try:
            self._slack.dm(notification.user_id, blocks.page_message(incident, notification, self._rendering))
        except SLACK_FAILURES as exc:
            permanent = isinstance(exc, SlackApiError) and error_code(exc) in UNREACHABLE_PEOPLE
            raise PageNotDelivered(error_code(exc), permanent=permanent) from exc

    def usergroup_members(self, usergroup: str) -> list[str]:
        try:
            return self._slack.usergroup_members(usergroup)
        except SLACK_FAILURES as exc:
            raise PageNotDelivered(error_code(exc), permanent=False) from exc
