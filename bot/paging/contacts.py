"""People's own ways to be reached: a phone (SMS and calls), an e-mail address, an ntfy push topic.

Each person registers their own with ``/incident me``; addresses are checked here, once, so a page
at 4 a.m. never fails on a typo that could have been refused at 4 p.m.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.config.schema import NotificationRuleConfig
from bot.core.clock import Clock
from bot.core.errors import UserError
from models import ContactMethod

KINDS = ("phone", "email", "push")
METHOD_KIND = {"sms": "phone", "call": "phone", "email": "email", "push": "push"}
"""Which registered address each way of paging (besides Slack) sends to."""

METHOD_NAMES = {"slack": "Slack", "push": "push", "sms": "SMS", "call": "phone", "email": "e-mail"}

_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
_TOPIC = re.compile(r"[-_A-Za-z0-9]{1,64}")  # ntfy's own rule for topic names


@dataclass(frozen=True)
class Contacts:
    """One person's registered addresses, by kind."""

    addresses: dict[str, str]

    def address_for(self, method: str) -> str | None:
        return self.addresses.get(METHOD_KIND.get(method, ""))


def check_address(kind: str, value: str) -> str:
    """The address in the form it is stored (a phone in E.164), or a ``UserError`` saying what is wrong."""
    value = value.strip()
    if kind == "phone":
        return _phone(value)
    if kind == "email":
        address = value.removeprefix("<mailto:").split("|")[0].rstrip(">")  # Slack links an address it sees
        if not _EMAIL.fullmatch(address):
            raise UserError(f"`{value}` is not an e-mail address; use one such as alice@example.com.", command="me")
        return address
    if not _TOPIC.fullmatch(value):
        raise UserError(f"`{value}` is not an ntfy topic; use up to 64 letters, digits, - and _, "
                        "the topic your ntfy app subscribes to.", command="me")
    return value


def _phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not value.startswith("+") or not phonenumbers.is_valid_number(number):
        raise UserError(f"`{value}` is not a phone number in international form (E.164); write it with `+` and the "
                        "country code, such as +393471234567.", command="me")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class ContactService:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock

    def of(self, user: str, session: Session | None = None) -> Contacts:
        if session is None:
            with self._sessions() as own:
                return self.of(user, own)
        rows = session.scalars(select(ContactMethod).where(ContactMethod.user_id == user)).all()
        return Contacts({row.kind: row.address for row in rows})

    def set(self, user: str, kind: str, value: str) -> str:
        """Register (or replace) one of the person's addresses; the address as stored."""
        address = check_address(kind, value)
        with self._sessions() as session, session.begin():
            row = session.get(ContactMethod, (user, kind))
            if row is None:
                session.add(ContactMethod(user_id=user, kind=kind, address=address, updated_at=self._clock.now()))
            else:
                row.address, row.updated_at = address, self._clock.now()
        return address

    def remove(self, user: str, kind: str) -> bool:
        with self._sessions() as session, session.begin():
            row = session.get(ContactMethod, (user, kind))
            if row is not None:
                session.delete(row)
            return row is not None

    def rules_for(self, user: str) -> list[NotificationRuleConfig]:
        return self._config.rules_for(user)
