"""Acknowledge links sent with every page by SMS, push or e-mail: signed, expiring, single-use.

A link names one delivery (so its page, incident and person); it is signed with a secret kept in
the database, valid for ``VALID_FOR`` from the moment the delivery was written, and works once
(``used_ack_links``). The token depends only on the delivery row, so a page sent again after a lost
answer carries the same text, and the provider's record of it can be recognised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.errors import UserError
from models import PageDelivery, UsedAckLink

VALID_FOR = timedelta(hours=24)


class BadAckLink(UserError):
    """A link that is forged, expired or used: the page says which, and what to do instead."""


@dataclass(frozen=True)
class AckLink:
    delivery_id: int
    incident_id: int
    user_id: str


class AckLinks:
    def __init__(self, sessions: sessionmaker[Session], secret: Callable[[], str], public_url: str) -> None:
        self._sessions = sessions
        self._secret = secret
        self._public_url = public_url

    @cached_property
    def _serializer(self) -> URLSafeSerializer:
        """Made on first use: the secret is read from (or first written to) the database."""
        return URLSafeSerializer(self._secret(), salt="ack-link")

    def token(self, delivery: PageDelivery) -> str:
        expires = int((delivery.created_at + VALID_FOR).timestamp())
        return self._serializer.dumps([delivery.id, expires])

    def url(self, token: str) -> str:
        return f"{self._public_url}/ack/{token}"

    def read(self, token: str, now: datetime) -> AckLink:
        """What a token names, if it is genuine and not expired (used or not)."""
        try:
            delivery_id, expires = self._serializer.loads(token)
        except (BadSignature, ValueError, TypeError):
            raise BadAckLink("This acknowledge link is not one the bot made.") from None
        if now.timestamp() > expires:
            raise BadAckLink("This acknowledge link has expired; acknowledge in Slack with `/incident ack`.")
        with self._sessions() as session:
            delivery = session.get(PageDelivery, delivery_id)
            if delivery is None:
                raise BadAckLink("This acknowledge link's incident no longer exists.")
            return AckLink(delivery.id, delivery.incident_id, delivery.user_id)

    def use(self, token: str, now: datetime) -> AckLink:
        """Spend the link: a second use is refused."""
        link = self.read(token, now)
        try:
            with self._sessions() as session, session.begin():
                session.add(UsedAckLink(delivery_id=link.delivery_id, used_at=now))
        except IntegrityError:
            raise BadAckLink("This acknowledge link was used already.") from None
        return link
