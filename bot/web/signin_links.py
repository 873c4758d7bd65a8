"""A one-time sign-in link, so a newcomer running the bot on their own machine sees the console at once.

``python -m bot web`` with no CONSOLE_TOKEN and a PUBLIC_URL on localhost prints one (``./scripts/serve``
does that). The link is good for ``VALID`` and for one sign-in: it is a row (``stored_secrets``) that
the sign-in deletes, in one statement, so two browsers, or two web processes, cannot both use it. A
new start makes a new link and the old one stops working. A server others reach (a PUBLIC_URL that is
not localhost) never prints one: its log is no place for a key to the console.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock
from bot.core.db import insert_for
from models import StoredSecret

NAME = "signin-link"
VALID = timedelta(minutes=15)
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class SigninLinks:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock, public_url: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._public_url = public_url.rstrip("/")

    @property
    def offered(self) -> bool:
        """Whether this server hands out links: only where PUBLIC_URL is this machine."""
        return urlsplit(self._public_url).hostname in LOCAL_HOSTS

    def new(self) -> str:
        """A fresh link (the one before it stops working)."""
        key, now = secrets.token_urlsafe(24), self._clock.now()
        with self._sessions() as session, session.begin():  # one statement: web processes start together
            insert = insert_for(session)
            session.execute(insert(StoredSecret).values(name=NAME, value=key, created_at=now).on_conflict_do_update(
                index_elements=[StoredSecret.name], set_={"value": key, "created_at": now}))
        return f"{self._public_url}/auth/link/{key}"

    def use(self, key: str) -> bool:
        """Sign in with ``key``: True once, for the newest link, within ``VALID`` of its making."""
        with self._sessions() as session, session.begin():
            used = session.execute(delete(StoredSecret).where(
                StoredSecret.name == NAME, StoredSecret.value == key,
                StoredSecret.created_at > self._clock.now() - VALID))
            return used.rowcount == 1
