"""Slack's side of resolving schedule members: ``users.lookupByEmail`` and ``users.list`` through the gateway."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from bot.paging.members import Unreachable
from bot.slack.budget import OverBudget
from bot.slack.gateway import SLACK_FAILURES, SlackGateway, error_code

T = TypeVar("T")
_PATIENCE = 30  # rate-limit waits before start-up gives up asking


class SlackPeopleDirectory:
    """``bot.paging.members.SlackPeople`` over the gateway; start-up waits out Slack's rate limit."""

    def __init__(self, gateway: SlackGateway) -> None:
        self._slack = gateway

    def by_email(self, email: str) -> dict | None:
        return _patiently(lambda: self._slack.person_by_email(email))

    def everyone(self) -> list[dict]:
        return _patiently(self._slack.people)


def _patiently(request: Callable[[], T]) -> T:
    for _ in range(_PATIENCE):
        try:
            return request()
        except OverBudget as exc:
            time.sleep(exc.wait)
        except SLACK_FAILURES as exc:
            raise Unreachable(error_code(exc)) from None
    raise Unreachable("rate limited for too long")
