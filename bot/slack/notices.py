"""One-off Slack messages: answers through response URLs, the declare form, posted timelines,
and :pushpin:ed messages copied into the timeline.

Unlike ``sync`` (the durable state of an incident's Slack side), these are replies to a
person's request; a failure is logged and, where it matters, told to that person.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.incidents.service import IncidentService, PinnedMessage
from bot.paging.layers import Duty
from bot.slack import blocks
from bot.slack.budget import OverBudget
from bot.slack.gateway import SLACK_FAILURES, SlackGateway, error_code, message_time
from bot.slack.sync import channel_ref
from bot.status.service import StatusService

log = logging.getLogger(__name__)

REPLY_PATIENCE = 10.0
"""Seconds an answer by DM waits for Slack's rate budget before it is dropped (and logged)."""


class Notices:
    def __init__(self, gateway: SlackGateway, incidents: IncidentService, rendering: blocks.Rendering,
                 status: StatusService) -> None:
        self._status = status
        self._slack = gateway
        self._incidents = incidents
        self._rendering = rendering
        self._config = rendering.config

    def reply(self, response_url: str | None, message: blocks.Message, user: str | None = None) -> None:
        """Answer ephemerally where the person acted; by DM when there is no response URL. A DM the
        rate budget holds back waits for it, on this answer thread, up to ``REPLY_PATIENCE``; an answer
        that still cannot go is dropped, and the log says why (the person's request itself is done)."""
        try:
            if response_url:
                self._slack.respond(response_url, message)
            elif user:
                self._dm_within_budget(user, message)
        except SLACK_FAILURES as exc:
            log.warning("could not answer %s, dropped: %s", user or response_url, error_code(exc))

    def _dm_within_budget(self, user: str, message: blocks.Message) -> None:
        _within_budget(lambda: self._slack.dm(user, message), f"an answer to {user}")

    def open_declare_form(self, trigger_id: str, origin: dict, user: str) -> None:
        self.open_form(trigger_id, blocks.declare_modal(self._config, origin), "declare form",
                       "Declare with `/incident declare [sevN] <title>` instead.", user, origin.get("response_url"))

    def open_update_form(self, trigger_id: str, incident_id: int, user: str, response_url: str | None) -> None:
        self.open_form(trigger_id, blocks.update_modal(self._incidents.get(incident_id), self._config),
                       "update form", "Post it with `/incident update <text>` in the incident's channel instead.",
                       user, response_url)

    def open_public_form(self, trigger_id: str, incident_id: int, user: str, response_url: str | None,
                         text: str | None = None) -> None:
        self.open_form(trigger_id, blocks.public_modal(self._status.draft(incident_id), text),
                       "public update form",
                       "Once the incident has a public title, `/incident public <text>` posts without it.",
                       user, response_url)

    def open_form(self, trigger_id: str, view: dict, what: str, instead: str, user: str,
                  response_url: str | None) -> None:
        """Open the form ``view``; if Slack will not, tell the person why and what does the same."""
        try:
            self._slack.open_view(trigger_id, view)
        except SLACK_FAILURES as exc:
            self.reply(response_url, blocks.replies.form_not_opened(what, error_code(exc), instead), user)

    def cannot_be_paged(self, user: str) -> str | None:
        """Why Slack could not page ``user`` (unknown, deactivated, an app), or None if it can."""
        try:
            person = self._slack.person(user)
        except SLACK_FAILURES as exc:
            return f"Slack would not say who they are right now ({error_code(exc)}); try again in a moment"
        if person is None:
            return "Slack has no such user in this workspace"
        if person.get("deleted"):
            return "their account is deactivated"
        if person.get("is_bot") or person.get("is_app_user"):
            return "they are an app, not a person"
        return None

    def handoff(self, schedule: str, duty: Duty, channel: str | None) -> None:
        dm, announcement = blocks.handoff_messages(schedule, duty)
        self.reply(None, dm, duty.user)
        if channel:
            try:
                self._slack.post(channel_ref(channel), announcement)
            except SLACK_FAILURES as exc:
                log.warning("could not tell #%s about the %s handoff: %s", channel, schedule, error_code(exc))

    def post_timeline(self, incident_id: int, response_url: str | None, user: str) -> None:
        """``/incident timeline``: the post waits for Slack's rate limit up to ``REPLY_PATIENCE``, on this
        answer thread; one that still cannot go is said to the person who asked, never lost unsaid."""
        incident = self._incidents.get(incident_id)
        message = blocks.timeline_message(incident, incident.events, self._rendering)
        try:
            _within_budget(lambda: self._slack.post(incident.channel_id, message), f"the timeline of {incident.number}")
        except SLACK_FAILURES as exc:
            log.warning("could not post the timeline of %s: %s", incident.number, error_code(exc))
            self.reply(response_url, blocks.replies.timeline_not_posted(error_code(exc)), user)

    def read_pinned(self, channel: str, ts: str) -> PinnedMessage:
        """The message someone marked with :pushpin:, as Slack hands it over, or why it would not."""
        reason = "message_not_found"
        try:
            message = self._slack.message(channel, ts)
            permalink = self._slack.permalink(channel, ts) if message else None
        except SLACK_FAILURES as exc:
            message, reason = None, error_code(exc)
        if message is None:
            log.warning("could not copy the :pushpin:ed message %s of %s: %s", ts, channel, reason)
            return PinnedMessage(channel, ts, message_time(ts), unread=reason)
        return PinnedMessage(channel, ts, message_time(ts), author=message.get("user") or message.get("bot_id"),
                             text=message.get("text") or "", permalink=permalink)


def _within_budget(send: Callable[[], object], what: str) -> None:
    """``send()``, waiting on this thread while Slack's rate budget holds it back, up to ``REPLY_PATIENCE``
    in all; then the ``OverBudget`` is the caller's to say."""
    waited = 0.0
    while True:
        try:
            send()
            return
        except OverBudget as exc:
            if waited + exc.wait > REPLY_PATIENCE:
                raise
            log.info("%s waits %.1fs for Slack's rate limit", what, exc.wait)
            time.sleep(exc.wait)
            waited += exc.wait
