"""People's own ways to be reached: a phone (SMS and calls), an e-mail address, an ntfy push topic.

Each person registers their own with ``/incident me``; addresses are checked here, once, so a page
at 4 a.m. never fails on a typo that could have been refused at 4 p.m.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import get_args

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.config.schema import NotificationRuleConfig, PageMethod
from bot.core.clock import Clock
from bot.core.durations import format_duration, parse_duration
from bot.core.errors import UserError, code
from models import ContactMethod, NotificationRules

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
            raise UserError(f"{code(value)} is not an e-mail address; use one such as alice@example.com.", command="me")
        return address
    if not _TOPIC.fullmatch(value):
        raise UserError(f"{code(value)} is not an ntfy topic; use up to 64 letters, digits, - and _, "
                        "the topic your ntfy app subscribes to.", command="me")
    return value


def _phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not value.startswith("+") or not phonenumbers.is_valid_number(number):
        raise UserError(f"{code(value)} is not a phone number in international form (E.164); write it with "
                        f"{code('+')} and the country code, such as +393471234567.", command="me")
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

    def rules_for(self, user: str, session: Session | None = None) -> list[NotificationRuleConfig]:
        """The person's own rules, else the file's for them, else everyone's."""
        if session is None:
            with self._sessions() as own:
                return self.rules_for(user, own)
        row = session.get(NotificationRules, user)
        if row is None:
            return self._config.rules_for(user)
        return [NotificationRuleConfig(after=timedelta(seconds=rule["after"]), via=rule["via"]) for rule in row.rules]

    def set_rules(self, user: str, text: str) -> list[NotificationRuleConfig] | None:
        """``/incident me rules 0m slack, 1m push, 5m call`` (``default``: back to the file's)."""
        rules = None if text.strip().lower() == "default" else parse_rules(text)
        with self._sessions() as session, session.begin():
            row = session.get(NotificationRules, user)
            if rules is None:
                if row is not None:
                    session.delete(row)
                return None
            stored = [{"after": int(rule.after.total_seconds()), "via": rule.via} for rule in rules]
            if row is None:
                session.add(NotificationRules(user_id=user, rules=stored, updated_at=self._clock.now()))
            else:
                row.rules, row.updated_at = stored, self._clock.now()
        return rules


_WAYS = get_args(PageMethod)


def parse_rules(text: str) -> list[NotificationRuleConfig]:
    """``0m slack, 1m push, 3m sms``: steps in any order, sorted by when they come."""
    rules = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        words = part.split()
        if len(words) != 2 or words[1].lower() not in _WAYS:
            raise UserError(f"{code(part)} is not a step; write each as a delay and a way ({', '.join(_WAYS)}), "
                            f"such as {code('0m slack, 2m push, 5m call')}.", command="me")
        after = timedelta(0) if re.fullmatch(r"0+[dhms]?", words[0]) else _duration(words[0])
        rules.append(NotificationRuleConfig(after=after, via=words[1].lower()))
    if not rules:
        raise UserError(f"Name at least one step, such as {code('/incident me rules 0m slack, 2m push, 5m call')}.", command="me")
    return sorted(rules, key=lambda rule: rule.after)


def _duration(text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise UserError(str(exc), command="me") from None


def describe_rules(rules: list[NotificationRuleConfig]) -> str:
    return ", ".join(f"{format_duration(rule.after) if rule.after else '0m'} {rule.via}" for rule in rules)
