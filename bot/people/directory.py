"""Who a Slack id is, for every page, file and figure read outside Slack.

The directory reads only the database: a page view is never held up by Slack. A person it does
not know yet, or knows from more than a day ago, is handed to ``asks`` (the Slack side's
background look-up, ``bot.slack.people``), and shows by id until the answer is in. What Slack
says, by ``users.info`` or by the ``user_change`` event, is written by ``record``. A person Slack
no longer knows keeps the last name it gave, marked as gone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.core.people import is_user
from bot.people.ahead import named_soon
from models import Person

MAX_AGE = timedelta(days=1)
"""A name older than this is asked for again (and still shown meanwhile)."""
MAX_ASKED = 200
"""A page names at most this many people it does not know yet in one ask (the rest at the next view)."""


@dataclass(frozen=True)
class Known:
    """What the directory knows of one person, as pages show them."""

    user_id: str
    name: str
    display_name: str | None = None
    tz: str | None = None
    avatar_url: str | None = None
    gone: bool = False
    known: bool = True  # False: Slack has not answered yet, ``name`` is the id

    @property
    def zone(self) -> ZoneInfo | None:
        return zone_named(self.tz)


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA zone Slack gave, or None when it gave none the system knows."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _unknown(actor: str) -> Known:
    return Known(user_id=actor, name=actor, known=False)


class PeopleDirectory:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock, max_age: timedelta = MAX_AGE) -> None:
        self._sessions = sessions
        self._clock = clock
        self._max_age = max_age
        self._asks: Callable[[list[str]], None] = lambda user_ids: None

    def asks_with(self, asks: Callable[[list[str]], None]) -> None:
        """Who looks people up in the background (the Slack side; nobody while Slack is off)."""
        self._asks = asks

    # -- reading (pages, files, figures) ---------------------------------------------------

    def people(self, actors: Iterable[str | None], session: Session | None = None) -> dict[str, Known]:
        """Each actor by id: a person as known, a system (``Alertmanager``) as itself. Unknown and
        stale people are asked for in the background; this never waits for Slack."""
        wanted = {actor for actor in actors if actor}
        users = sorted(a for a in wanted if is_user(a))
        rows = self._rows(users, session) if users else {}
        found = {actor: Known(user_id=actor, name=actor) for actor in wanted - set(users)}
        stale_before = self._clock.now() - self._max_age
        ask = []
        for user in users:
            row = rows.get(user)
            found[user] = _known(row) if row else _unknown(user)
            if row is None or row.fetched_at < stale_before:
                ask.append(user)
        if ask:
            self._asks(ask[:MAX_ASKED])
        return found

    def reader(self) -> Reader:
        """A memo for one rendering: each person it names read once (for renderers that ask one by one)."""
        return Reader(self)

    def names(self, actors: Iterable[str | None], session: Session | None = None) -> dict[str, str]:
        """Each actor's name, for renderers that take text (the digest, ``report.md``, CSV)."""
        return {actor: known.name for actor, known in self.people(actors, session).items()}

    def name_of(self, actor: str | None, session: Session | None = None) -> str:
        """One actor's name ("Zoë Þórsdóttir", "Alertmanager"), its id while Slack has not said."""
        return self.names([actor], session).get(actor, "nobody") if actor else "nobody"

    def zone_of(self, user_id: str, session: Session | None = None) -> ZoneInfo | None:
        """The person's own time zone, when Slack has told it."""
        return self.people([user_id], session)[user_id].zone

    def needing_look_up(self, user_ids: Collection[str]) -> list[str]:
        """Which of these the directory lacks or holds from more than ``max_age`` ago."""
        rows = self._rows(sorted(set(user_ids)))
        stale_before = self._clock.now() - self._max_age
        return [u for u in sorted(set(user_ids)) if u not in rows or rows[u].fetched_at < stale_before]

    def ask_ahead(self, config: IncidentConfig) -> list[str]:
        """Ask now for everyone the rows and schedules name whom this directory lacks or holds stale
        (``bot.people.ahead``), so that the first page to name them already has their name."""
        with self._sessions() as session:
            wanted = named_soon(session, config, self._clock.now())
        ask = self.needing_look_up(wanted)
        if ask:
            self._asks(ask)
        return ask

    # -- writing (what Slack said) ----------------------------------------------------------

    def record(self, user: dict) -> Known:
        """Slack's user object (``users.info``, ``user_change``): names, zone, avatar, whether deleted.
        An empty name (Slack blanks a deleted person's profile) keeps the one known before."""
        profile = user.get("profile") or {}
        real = (profile.get("real_name") or user.get("real_name") or "").strip() or None
        display = (profile.get("display_name") or "").strip() or None
        avatar = profile.get("image_72") or profile.get("image_48") or profile.get("image_192")
        with self._sessions() as session, session.begin():
            row = session.get(Person, user["id"], with_for_update=True)
            if row is None:
                row = Person(user_id=user["id"], name=user["id"], gone=False)
                session.add(row)
            row.real_name = real or row.real_name
            row.display_name = display or row.display_name
            row.name = row.real_name or row.display_name or (user.get("name") or "").strip() or row.name
            row.tz = user.get("tz") or row.tz
            row.avatar_url = avatar or row.avatar_url
            row.gone = bool(user.get("deleted"))
            row.fetched_at = self._clock.now()
            return _known(row)

    def record_gone(self, user_id: str) -> None:
        """Slack knows no such person (``user_not_found``): keep the last known name, marked gone."""
        with self._sessions() as session, session.begin():
            row = session.get(Person, user_id, with_for_update=True)
            if row is None:
                row = Person(user_id=user_id, name=user_id)
                session.add(row)
            row.gone, row.fetched_at = True, self._clock.now()

    def _rows(self, user_ids: list[str], session: Session | None = None) -> dict[str, Person]:
        if session is not None:
            return {row.user_id: row for row in session.scalars(select(Person).where(Person.user_id.in_(user_ids)))}
        with self._sessions() as own:
            return self._rows(user_ids, own)


class Reader:
    """The people one page or file names, each read from the directory once (never from Slack)."""

    def __init__(self, directory: PeopleDirectory | None) -> None:
        self._directory = directory
        self._seen: dict[str, Known] = {}

    def prime(self, actors: Iterable[str | None]) -> None:
        """Read these in one query (a renderer that knows whom it will name)."""
        wanted = [a for a in actors if a and a not in self._seen]
        if wanted and self._directory is not None:
            self._seen.update(self._directory.people(wanted))

    def __call__(self, actor: str) -> Known:
        if actor not in self._seen:
            self.prime([actor])
        return self._seen.get(actor) or _unknown(actor)

    def name(self, actor: str) -> str:
        return self(actor).name


def _known(row: Person) -> Known:
    return Known(user_id=row.user_id, name=row.name, display_name=row.display_name, tz=row.tz,
                 avatar_url=row.avatar_url, gone=row.gone)
