"""Paging through Slack: a page is a DM with an *Acknowledge* button (the same acknowledgement as the summary's).

The paging service knows nothing of Slack; this adapter turns Slack's refusals into the domain's
``PageNotDelivered``, saying whether trying again can help.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

from slack_sdk.errors import SlackApiError

from bot.core.errors import PageNotDelivered
from bot.slack import blocks
from bot.slack.budget import OverBudget, Priority, ranked
from bot.slack.gateway import SLACK_FAILURES, SlackGateway, error_code

UNREACHABLE_PEOPLE = frozenset({"channel_not_found", "user_not_found", "is_bot", "user_disabled", "account_inactive"})
"""Answers that will not change by trying again: the person left, or is a bot. (``messages_tab_disabled``
is the app's set-up, not the person's: it is retried, and said on /healthz.)"""


DND_FRESH = 60.0
"""Seconds a person's Do Not Disturb answer is reused."""


class SlackPager:
    """Pages are DMs with an *Acknowledge* button (the same acknowledgement as the summary's)."""

    def __init__(self, gateway: SlackGateway, rendering: blocks.Rendering, now: Callable[[], datetime]) -> None:
        self._slack = gateway
        self._rendering = rendering
        self._now = now
        self._dnd: dict[str, tuple[float, datetime | None]] = {}  # user -> (asked at, answer)

    def send(self, incident, notification, late: bool = False) -> None:
        with _refused(), _in_turn(notification):
            self._slack.dm(notification.user_id, blocks.page_message(incident, notification, self._rendering, late),
                           key=_key(incident, notification))

    def already_sent(self, incident, notification) -> bool:
        with _refused(), _in_turn(notification):
            channel = self._slack.dm_channel(notification.user_id)
            return _key(incident, notification) in self._slack.find_posts(channel)

    def dnd_until(self, user: str) -> datetime | None:
        """Asked at most once a minute per person: a storm pages one person for many incidents, and
        ``dnd.info`` is a Tier 3 method."""
        now = self._now().timestamp()
        asked = self._dnd.get(user)
        if asked is not None and now - asked[0] < DND_FRESH and (asked[1] is None or asked[1].timestamp() > now):
            return asked[1]
        with _refused():
            ends = dnd_ends(self._slack.dnd_info(user), now)
        self._dnd[user] = (now, ends)
        return ends

    def usergroup_members(self, usergroup: str) -> list[str]:
        with _refused():
            return self._slack.usergroup_members(usergroup)


def dnd_ends(info: dict, now: float) -> datetime | None:
    """When Do Not Disturb ends, if it is on at ``now``: a snooze, or the person's scheduled quiet hours."""
    ends = []
    if info.get("snooze_enabled") and (info.get("snooze_endtime") or 0) > now:
        ends.append(info["snooze_endtime"])
    if info.get("dnd_enabled") and (info.get("next_dnd_start_ts") or now + 1) <= now < (info.get("next_dnd_end_ts") or 0):
        ends.append(info["next_dnd_end_ts"])
    return datetime.fromtimestamp(max(ends), timezone.utc) if ends else None


def _in_turn(notification):
    """A page's Slack calls go before any incident's (``Priority.PERSON``), and the oldest page first: a
    storm paging one person queues in Slack's one post a second to their DM, each page told its own
    turn, instead of every page asking again each second for the next free post, in no order."""
    return ranked(Priority.PERSON, notification.id)


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
