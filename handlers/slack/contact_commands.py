"""``/incident me``: a person's own ways to be paged (phone, e-mail, ntfy push) and a test page by each."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.core.errors import UserError
from bot.paging.contacts import KINDS
from bot.slack import blocks
from bot.slack.blocks import Message

if TYPE_CHECKING:
    from bot.app import AppContext


class ContactListeners:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def listeners(self) -> dict[str, Callable[..., Message]]:
        return {"me": self.me}

    def me(self, command: dict, rest: str) -> Message:
        user = command["user_id"]
        word, _, value = rest.strip().partition(" ")
        word, value = word.lower(), value.strip()
        if not word:
            return blocks.contacts_message(self.ctx.contacts.of(user), self.ctx.contacts.rules_for(user),
                                           self.ctx.channels.methods())
        if word == "test" and not value:
            response_url = command.get("response_url")
            self.ctx.effects.answer(lambda: self.ctx.notices.reply(
                response_url, blocks.contact_test_message(self.ctx.steps.test(user)), user))
            return blocks.testing_contacts()
        if word == "rules" and value:
            rules = self.ctx.contacts.set_rules(user, value)
            return blocks.rules_saved(rules if rules is not None else self.ctx.contacts.rules_for(user), rules is None)
        if word not in KINDS or not value:
            raise UserError(f"`{rest.strip()}` is not something `/incident me` takes.", command="me")
        if value.lower() == "off":
            self.ctx.contacts.remove(user, word)
            return blocks.contact_saved(word, None)
        return blocks.contact_saved(word, self.ctx.contacts.set(user, word, value))
