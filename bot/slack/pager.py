"""Paging through Slack: a page is a DM with an *Acknowledge* button (the same acknowledgement as the summary's).

The paging service knows nothing of Slack; this adapter turns Slack's refusals into the domain's
``PageNotDelivered``, saying whether trying again can help.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from slack_sdk.errors import SlackApiError

from bot.core.errors import PageNotDelivered
from bot.slack import blocks
from bot.slack.budget import OverBudget
from bot.slack.gateway import SLACK_FAILURES, SlackGateway, error_code

UNREACHABLE_PEOPLE = frozenset({"channel_not_found", "user_not_found", "is_bot", "user_disabled", "account_inactive"})
"""Answers that will not change by trying again: the person left, or is a bot. (``messages_tab_disabled``
is the app's set-up, not the person's: it is retried, and said on /healthz.)"""


class SlackPager:
    """Pages are DMs with an *Acknowledge* button (the same acknowledgement as the summary's)."""

    def __init__(self, gateway: SlackGateway, rendering: blocks.Rendering) -> None:
        self._slack = gateway
        self._rendering = rendering

    def send(self, incident, notification) -> None:
        with _refused():
            self._slack.dm(notification.user_id, blocks.page_message(incident, notification, self._rendering),
                           key=_key(incident, notification))

    def already_sent(self, incident, notification) -> bool:
        with _refused():
            channel = self._slack.dm_channel(notification.user_id)
            return _key(incident, notification) in self._slack.find_posts(channel)

    def usergroup_members(self, usergroup: str) -> list[str]:
        with _refused():
            return self._slack.usergroup_members(usergroup)


def _key(incident, notification) -> str:
    """The page's key in its DM's metadata (the same form as the sync's keys)."""
    return f"{incident.id}:page:{notification.id}"


@contextmanager
def _refused() -> Iterator[None]:
    """Slack's refusals as the domain's ``PageNotDelivered``: permanent when trying again cannot help."""
    try:
        yield
    except SLACK_FAILURES as exc:
        permanent = isinstance(exc, SlackApiError) and error_code(exc) in UNREACHABLE_PEOPLE
        wait = exc.wait if isinstance(exc, OverBudget) else None
        raise PageNotDelivered(error_code(exc), permanent=permanent, wait=wait) from exc
