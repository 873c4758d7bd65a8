"""The Slack adapter: one WebClient, and the few channel and message effects the bot needs.

The client retries what Slack asks to be retried (429 with Retry-After, 5xx, dropped
connections) with slack-sdk's own handlers; this module adds only the rules that are ours
(a taken channel name gets a suffix, ``already_in_channel`` means done).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import (
    BackoffRetryIntervalCalculator,
    FixedValueRetryIntervalCalculator,
)
from slack_sdk.webhook import WebhookClient

from bot.slack.blocks import Message
from bot.slack.budget import BudgetedClient, OverBudget, SlackBudget

log = logging.getLogger(__name__)


class ConnectionRetryUnlessPosting(ConnectionErrorRetryHandler):
    """slack-sdk's retry of a dropped connection, except for the calls that post (``chat.postMessage``,
    sharing an uploaded file): a dropped answer there may follow a message Slack did post, and asking
    again would post it twice. The sync finds such a post again by its metadata instead
    (``bot.slack.sync``), and the digest its file by name (``bot.slack.digest``)."""

    NOT_REPEATABLE = ("chat.postMessage", "files.completeUploadExternal")

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if request.url.rstrip("/").rsplit("/", 1)[-1] in self.NOT_REPEATABLE:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def retry_handlers(backoff: float = 0.5) -> list:
    """slack-sdk's handlers for a 5xx and a dropped connection, after an exponential ``backoff``
    (tests set 0: the retry itself is what they check, not the wait). A 429 is not waited out in a
    thread: the rate budget (``bot.slack.budget``) turns it into work that waits in the database."""
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff) if backoff else FixedValueRetryIntervalCalculator(0)
    return [
        ServerErrorRetryHandler(max_retry_count=2, interval_calculator=interval),
        ConnectionRetryUnlessPosting(max_retry_count=2, interval_calculator=interval),
    ]


def make_client(token: str | None, base_url: str, timeout: int = 10, backoff: float = 0.5,
                budget: SlackBudget | None = None) -> WebClient:
    """The process's client: every call within its rate budget (one budget per process)."""
    return BudgetedClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=retry_handlers(backoff),
                          budget=budget or SlackBudget())


SET_UP_PROBLEMS = frozenset({"messages_tab_disabled"})
"""Answers that mean the app itself is set up wrong in Slack: nobody's DM can go until someone fixes it."""

SLACK_FAILURES = (SlackApiError, OSError, OverBudget)
"""What a Slack call raises when Slack says no (SlackApiError), cannot be reached (OSError), or would
say 429 (OverBudget: try again after its ``wait``)."""


def error_code(exc: Exception) -> str:
    """A short reason for logs and people: Slack's error code, the HTTP status, or the network error."""
    if isinstance(exc, OverBudget):
        return f"rate limited for {exc.wait:.1f}s"
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        if status >= 500 or not exc.response.get("error"):
            return f"HTTP {status}"  # Slack itself failed; its body is no reason (slack-sdk fills in "non-JSON ...")
        return str(exc.response["error"])
    return f"Slack unreachable ({getattr(exc, 'reason', exc)})"


def message_time(ts: str) -> datetime:
    """When a message was posted: its ``ts`` is seconds since the epoch, to the microsecond."""
    return datetime.fromtimestamp(float(ts), timezone.utc)


class SlackGateway:
    """What the domain's effects ask of Slack, in the domain's words."""

    def __init__(self, client: WebClient, set_up_problem: Callable[[str], None] = lambda code: None) -> None:
        self.client = client
        self._set_up_problem = set_up_problem
        self._identity: dict | None = None
        self._channel_ids: dict[str, str] = {}

    def identity(self) -> dict:
        """Who the bot is (``auth.test``: user_id, user, team), asked once and remembered."""
        if self._identity is None:
            self._identity = dict(self.client.auth_test().data)
        return self._identity

    @property
    def known_bot_user_id(self) -> str | None:
        """The bot's user id if Slack has said it already; never asks (for the ack path)."""
        return (self._identity or {}).get("user_id")

    @property
    def bot_user_id(self) -> str | None:
        """The bot's own user id, or None while Slack cannot say (the caller then does without)."""
        try:
            return self.identity().get("user_id")
        except SLACK_FAILURES as exc:
            log.warning("could not ask Slack who the bot is: %s", error_code(exc))
            return None

    def signed_in(self, client_id: str, client_secret: str, code: str, redirect_uri: str) -> dict:
        """Sign in with Slack: the code Slack's authorize page sent back, exchanged for an access token
        (``openid.connect.token``, the app's credentials as HTTP Basic), then who signed in
        (``openid.connect.userInfo`` with that token): ``sub``, ``name``, ``https://slack.com/team_id``..."""
        token = self.client.openid_connect_token(client_id=client_id, client_secret=client_secret, code=code,
                                                 redirect_uri=redirect_uri, grant_type="authorization_code")
        person = WebClient(token=token["access_token"], base_url=self.client.base_url, timeout=self.client.timeout,
                           retry_handlers=self.client.retry_handlers)
        return dict(person.openid_connect_userInfo().data)

    def create_public_channel(self, name: str) -> tuple[str, str]:
        """Create a public channel; Slack's ``name_taken`` is left to the caller, who knows whose it may be."""
        channel = self.client.conversations_create(name=name, is_private=False)["channel"]
        return channel["id"], channel["name"]

    def person(self, user: str) -> dict | None:
        """Slack's record of ``user`` (``users.info``), or None when Slack knows no such user."""
        try:
            return self.client.users_info(user=user)["user"]
        except SlackApiError as exc:
            if error_code(exc) == "user_not_found":
                return None
            raise

    def person_by_email(self, email: str) -> dict | None:
        """The person whose profile has this e-mail (``users.lookupByEmail``), or None when nobody's has."""
        try:
            return self.client.users_lookupByEmail(email=email)["user"]
        except SlackApiError as exc:
            if error_code(exc) == "users_not_found":
                return None
            raise

    def people(self, page_size: int = 200) -> list[dict]:
        """Everyone in the workspace (``users.list``, every page), deactivated accounts and bots included."""
        return [person for page in self.client.users_list(limit=page_size) for person in page["members"]]

    def channel_id(self, channel: str) -> str:
        """The id of a channel given as an id or as ``#name`` (reading history needs the id); remembered."""
        name = channel.removeprefix("#")
        if channel == name:
            return channel
        if name not in self._channel_ids:
            found = self.find_public_channel(name)
            if found is None:
                raise SlackApiError(f"no public channel #{name}", {"ok": False, "error": "channel_not_found"})
            self._channel_ids[name] = found["id"]
        return self._channel_ids[name]

    def find_public_channel(self, name: str) -> dict | None:
        """The unarchived public channel called ``name`` (id, creator, created), or None: a page through
        ``conversations.list``, asked only when a name the bot wanted turned out to be taken."""
        for page in self.client.conversations_list(types="public_channel", exclude_archived=True, limit=1000):
            for channel in page["channels"]:
                if channel.get("name") == name:
                    return channel
        return None

    def set_topic(self, channel: str, topic: str) -> None:
        self.client.conversations_setTopic(channel=channel, topic=topic)

    def invite(self, channel: str, users: Iterable[str]) -> None:
        """Invite everyone who can be invited; being in the channel already counts as done."""
        try:
            self.client.conversations_invite(channel=channel, users=",".join(users), force=True)
        except SlackApiError as exc:
            if error_code(exc) != "already_in_channel":
                raise

    def post(self, channel: str, message: Message, thread_ts: str | None = None,
             key: str | None = None) -> tuple[str, str]:
        """Post; ``key`` (which post of which incident this is) rides in the message's metadata, so
        that a retry after a lost answer can find the message instead of posting it twice."""
        response = self.client.chat_postMessage(channel=channel, text=message.text, blocks=message.blocks,
                                                thread_ts=thread_ts, unfurl_links=False, metadata=_metadata(key))
        return response["channel"], response["ts"]

    def find_posts(self, channel: str, thread_ts: str | None = None) -> dict[str, str]:
        """The bot's keyed posts among the latest of ``channel`` (or of one thread): key → ts.

        One call per channel and recovery pass; the posts looked for are the last moments' own.
        """
        if thread_ts:
            response = self.client.conversations_replies(channel=channel, ts=thread_ts, include_all_metadata=True,
                                                         limit=RECENT)
        else:
            response = self.client.conversations_history(channel=channel, include_all_metadata=True, limit=RECENT)
        found = {}
        for message in response["messages"]:
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == POST_EVENT:
                found.setdefault(str((metadata.get("event_payload") or {}).get("key")), message["ts"])
        return found

    def shared_files(self, channel: str) -> set[str]:
        """The names of the files the bot shared among the latest messages of ``channel`` (a file's
        message carries no metadata of ours: its name is its key)."""
        response = self.client.conversations_history(channel=channel, limit=RECENT)
        return {file.get("name") for message in response["messages"] if message.get("bot_id")
                for file in message.get("files") or []}

    def dm_channel(self, user: str) -> str:
        """The id of the bot's direct-message conversation with ``user``."""
        return self.client.conversations_open(users=user)["channel"]["id"]

    def update(self, channel: str, ts: str, message: Message) -> None:
        self.client.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks)

    def pin(self, channel: str, ts: str) -> None:
        try:
            self.client.pins_add(channel=channel, timestamp=ts)
        except SlackApiError as exc:
            if error_code(exc) != "already_pinned":
                raise

    def message(self, channel: str, ts: str) -> dict | None:
        """The message ``ts`` of ``channel``, or None if Slack has none there (deleted, or never was).

        ``conversations.history`` holds a channel's top-level messages only. A reaction event does
        not say which thread a reply is in, but ``conversations.replies`` takes any message of a
        thread as its ``ts``: a reply is read there, ``oldest`` and ``latest`` narrowing the thread
        to that one message. Only replies and missing messages cost this second call.
        """
        history = self.client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
        found = _with_ts(history["messages"], ts)
        if found is not None:
            return found
        try:
            thread = self.client.conversations_replies(channel=channel, ts=ts, oldest=ts, latest=ts, inclusive=True)
        except SlackApiError as exc:
            if error_code(exc) == "thread_not_found":
                return None
            raise
        return _with_ts(thread["messages"], ts)

    def permalink(self, channel: str, ts: str) -> str:
        return self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]

    def open_view(self, trigger_id: str, view: dict) -> None:
        self.client.views_open(trigger_id=trigger_id, view=view)

    def dnd_info(self, user: str) -> dict:
        """The person's Do Not Disturb schedule and snooze (``dnd.info``)."""
        return dict(self.client.dnd_info(user=user).data)

    def usergroup_members(self, usergroup: str) -> list[str]:
        return list(self.client.usergroups_users_list(usergroup=usergroup)["users"])

    def dm(self, user: str, message: Message, key: str | None = None) -> tuple[str, str]:
        """A direct message; its conversation id and ts (``key`` as for ``post``). An app whose
        Messages tab is off can DM nobody: that is the app's set-up, said loudly, not the person's."""
        try:
            response = self.client.chat_postMessage(channel=user, text=message.text, blocks=message.blocks,
                                                    metadata=_metadata(key))
        except SlackApiError as exc:
            if error_code(exc) in SET_UP_PROBLEMS:
                self._set_up_problem(error_code(exc))
            raise
        return response["channel"], response["ts"]

    def create_channel_canvas(self, channel: str, title: str, markdown: str) -> str:
        """The channel's canvas (one per channel), holding ``markdown``; its id."""
        return self.client.conversations_canvases_create(channel_id=channel, title=title,
                                                         document_content=_document(markdown))["canvas_id"]

    def create_tabbed_canvas(self, channel: str, title: str, markdown: str) -> str:
        """A canvas of its own, tabbed in ``channel`` (when the channel canvas is someone else's); its id."""
        return self.client.canvases_create(title=title, document_content=_document(markdown),
                                           channel_id=channel)["canvas_id"]

    def replace_canvas(self, canvas_id: str, markdown: str) -> None:
        self.client.canvases_edit(canvas_id=canvas_id, changes=[{"operation": "replace",
                                                                 "document_content": _document(markdown)}])

    def upload_markdown(self, channel: str, filename: str, title: str, markdown: str, comment: str) -> str:
        """A Markdown file shared in ``channel`` with ``comment`` (slack-sdk's external upload flow); its id."""
        response = self.client.files_upload_v2(channel=channel, filename=filename, title=title, content=markdown,
                                               initial_comment=comment)
        return response["file"]["id"]

    def upload_image(self, channel: str, filename: str, title: str, image: bytes, comment: str) -> str:
        """An image shared in ``channel`` with ``comment`` as its message (one post); the file's id."""
        response = self.client.files_upload_v2(channel=channel, filename=filename, title=title, content=image,
                                               initial_comment=comment)
        return response["file"]["id"]

    def respond(self, response_url: str, message: Message) -> None:
        """An ephemeral answer through a command's response URL (no channel membership needed)."""
        WebhookClient(response_url, retry_handlers=retry_handlers()).send(
            text=message.text, blocks=message.blocks or None, response_type="ephemeral", replace_original=False
        )

    def replace(self, response_url: str, message: Message) -> bool:
        """Replace the message whose button gave ``response_url`` (no Tier 3 ``chat.update`` spent); whether
        Slack took it (a URL past its 30 minutes or its five uses is refused)."""
        answer = WebhookClient(response_url).send(text=message.text, blocks=message.blocks or None,
                                                  replace_original=True)
        return answer.status_code == 200


RECENT = 200
"""How many of a conversation's latest messages a recovery looks through for its own posts."""
POST_EVENT = "incident_bot_post"
"""The metadata event type of every post the bot may need to find again."""


def _metadata(key: str | None) -> dict | None:
    return {"event_type": POST_EVENT, "event_payload": {"key": key}} if key else None


def _document(markdown: str) -> dict:
    return {"type": "markdown", "markdown": markdown}


def _with_ts(messages: list[dict], ts: str) -> dict | None:
    return next((m for m in messages if m.get("ts") == ts), None)
