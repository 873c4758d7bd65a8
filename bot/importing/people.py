"""People of the source as Slack members, by e-mail (``users.lookupByEmail``, scope ``users:read.email``)."""

from __future__ import annotations

from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.importing.api import ImportFailure
from bot.importing.source import Person

_BAD_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}


def slack_client(token: str, base_url: str) -> WebClient:
    """A client that waits out Slack's 429s (users.lookupByEmail is tier 3: about 50 a minute)."""
    return WebClient(token=token, base_url=base_url, timeout=15, retry_handlers=[
        RateLimitErrorRetryHandler(max_retry_count=5),
        ServerErrorRetryHandler(max_retry_count=2),
        ConnectionErrorRetryHandler(max_retry_count=2),
    ])


def slack_ids(people: Iterable[Person], client: WebClient) -> dict[str, str | None]:
    """Each person's Slack id by their e-mail; None for whoever has none, or no Slack account with it."""
    found: dict[str, str | None] = {}
    for person in people:
        if not person.email:
            found[person.id] = None
            continue
        try:
            user = client.users_lookupByEmail(email=person.email)["user"]
            found[person.id] = None if user.get("deleted") else user["id"]  # a deactivated account cannot be paged
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            if error == "users_not_found":
                found[person.id] = None
            elif error in _BAD_TOKEN:
                raise ImportFailure(f"Slack refused SLACK_BOT_TOKEN ({error}); set it to the app's bot token (xoxb-…)",
                                    status=2) from None
            elif error == "missing_scope":
                raise ImportFailure("the Slack app lacks the users:read.email scope that finding people by e-mail "
                                    "needs; add it (OAuth & Permissions) and reinstall the app", status=2) from None
            else:
                raise ImportFailure(f"Slack answered users.lookupByEmail with {error or exc.response.status_code}") from None
        except OSError as exc:
            raise ImportFailure(f"cannot reach Slack to find people by e-mail: {exc}") from None
    return found
