"""Secrets every process must agree on that nobody configured: made once, kept in the database."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import StoredSecret


def stored_secret(sessions: sessionmaker[Session], name: str, now: datetime) -> str:
    """The secret called ``name``; the first process to ask makes it, every later one reads the same."""
    with sessions() as session:
        found = session.get(StoredSecret, name)
        if found is not None:
            return found.value
    try:
        with sessions() as session, session.begin():
            session.add(StoredSecret(name=name, value=secrets.token_urlsafe(32), created_at=now))
    except IntegrityError:
        pass  # another process made it at the same moment: theirs is the one
    with sessions() as session:
        return session.get(StoredSecret, name).value
