"""``/incident me``: a person's own ways to be paged (phone, e-mail, ntfy push) and a test page by each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.channels import Channels
from bot.core.errors import UserError, code
from bot.paging.contacts import KINDS, ContactService
from bot.paging.steps import NotificationSteps
from bot.slack import blocks
from bot.slack.blocks import Message
from handlers.slack.replies import Answers


@dataclass(frozen=True)
class ContactListeners:
    contacts: ContactService
    steps: NotificationSteps
    channels: Channels
    answers: Answers

    def listeners(self) -> dict[str, Callable[..., Message]]:
        return {"me": self.me}

    def me(self, command: dict, rest: str) -> Message:
        user = command["user_id"]
        word, _, value = rest.strip().partition(" ")
        word, value = word.lower(), value.strip()
        if not word:
            return blocks.contacts_message(self.contacts.of(user), self.contacts.rules_for(user),
                                           self.channels.methods())
        if word == "test" and not value:
            response_url = command.get("response_url")
            self.answers.later(lambda: self.answers.notices.reply(
                response_url, blocks.contact_test_message(self.steps.test(user)), user))
            return blocks.testing_contacts()
        if word == "rules" and value:
            rules = self.contacts.set_rules(user, value)
            return blocks.rules_saved(rules if rules is not None else self.contacts.rules_for(user), rules is None)
        if word not in KINDS or not value:
            raise UserError(f"{code(rest.strip())} is not something {code('/incident me')} takes.", command="me")
        if value.lower() == "off":
            self.contacts.remove(user, word)
            return blocks.contact_saved(word, None)
        return blocks.contact_saved(word, self.contacts.set(user, word, value))
