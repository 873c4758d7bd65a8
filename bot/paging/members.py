"""Schedule members written as a Slack id, an e-mail or an @handle, resolved to Slack ids once at start.

An e-mail is asked of Slack (``users.lookupByEmail``); an @handle is matched against the workspace's
people (``users.list``): their username or display name, ignoring case, deactivated accounts and
bots left out. Answers are kept in the database (``oncall_members``), so that a start while Slack
cannot be reached still knows who is who; an entry Slack says it does not know, a deactivated
account, or a handle two people share stops start-up naming the file's key and the entry. After
resolution the configuration holds ids only, and nothing else ever sees an e-mail or a handle.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.config.schema import EMAIL
from models.oncall import MemberEntry

log = logging.getLogger(__name__)


class SlackPeople(Protocol):
    """What resolution asks of Slack; each raises ``Unreachable`` when Slack cannot answer."""

    def by_email(self, email: str) -> dict | None: ...

    def everyone(self) -> list[dict]: ...


class Unreachable(Exception):
    """Slack could not be asked (down, refused the token, a scope missing); the reason is the message."""


class UnknownMembers(Exception):
    """Entries that cannot be resolved: ``problems`` holds (key path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{where}: {message}" for where, message in problems))
        self.problems = problems


@dataclass(frozen=True)
class Entry:
    """One member entry that is not an id: where the file has it and how it is written."""

    where: str
    written: str

    @property
    def key(self) -> str:
        return self.written.strip().lower()


def entries(config: IncidentConfig) -> list[Entry]:
    """Every e-mail and @handle among the schedules' members, with its key path."""
    found = []
    for name, schedule in config.schedules.items():
        if schedule.layers is None:
            places = [(f"schedules.{name}.members", schedule.members or [])]
        else:
            places = [(f"schedules.{name}.layers[{i}].members", layer.members) for i, layer in enumerate(schedule.layers)]
        for where, members in places:
            found += [Entry(f"{where}[{i}]", m) for i, m in enumerate(members) if not _is_id(m)]
    return found


def _is_id(member: str) -> bool:
    return not member.startswith("@") and not EMAIL.fullmatch(member)


def _label(person: dict) -> str:
    profile = person.get("profile") or {}
    name = profile.get("real_name") or person.get("real_name") or person.get("name") or ""
    return f"{person['id']} ({name})" if name else person["id"]


def _usable(person: dict) -> bool:
    return not (person.get("deleted") or person.get("is_bot") or person.get("is_app_user"))


def _handle_owners(handle: str, people: list[dict]) -> list[dict]:
    wanted = handle.removeprefix("@").lower()
    return [p for p in people if _usable(p) and wanted in {
        (p.get("name") or "").lower(), ((p.get("profile") or {}).get("display_name") or "").lower(),
        ((p.get("profile") or {}).get("display_name_normalized") or "").lower()}]


def ask_slack(wanted: list[Entry], slack: SlackPeople) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Each entry's id by its key, and the (key path, message) of each that Slack refuses.
    ``Unreachable`` propagates: the caller decides whether kept answers may stand in."""
    ids: dict[str, str] = {}
    problems = []
    people = slack.everyone() if any(e.written.startswith("@") for e in wanted) else []
    for entry in wanted:
        if entry.key in ids:
            continue
        if entry.written.startswith("@"):
            owners = _handle_owners(entry.written, people)
            if len(owners) > 1:
                problems.append((entry.where, f'"{entry.written}" is the handle of {len(owners)} Slack users, '
                                              f'{" and ".join(_label(p) for p in owners)}; write the one you mean '
                                              "by member ID or e-mail"))
            elif not owners:
                problems.append((entry.where, f'"{entry.written}" is no one\'s handle in this Slack workspace '
                                              "(users.list); check the spelling, or use their member ID or e-mail"))
            else:
                ids[entry.key] = owners[0]["id"]
            continue
        person = slack.by_email(entry.written.strip())
        if person is None:
            problems.append((entry.where, f'"{entry.written}" is not the e-mail of anyone in this Slack workspace '
                                          "(users.lookupByEmail); check the spelling, or use their member ID"))
        elif not _usable(person):
            problems.append((entry.where, f'"{entry.written}" belongs to {_label(person)}, a deactivated account '
                                          "or an app, who cannot be paged; remove the entry"))
        else:
            ids[entry.key] = person["id"]
    return ids, problems


def with_ids(config: IncidentConfig, ids: dict[str, str]) -> IncidentConfig:
    """The configuration with every e-mail and @handle member replaced by its id (``ids`` by key)."""
    def resolved(members: list[str] | None) -> list[str] | None:
        return None if members is None else [ids.get(m.strip().lower(), m) for m in members]

    schedules = {}
    for name, schedule in config.schedules.items():
        update: dict = {"members": resolved(schedule.members)}
        if schedule.layers is not None:
            update["layers"] = [layer.model_copy(update={"members": resolved(layer.members)}) for layer in schedule.layers]
        schedules[name] = schedule.model_copy(update=update)
    return config.model_copy(update={"schedules": schedules})


class MemberDirectory:
    """Resolves a configuration's members with Slack, keeping the answers in the database."""

    def __init__(self, sessions: sessionmaker[Session] | None, now: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._now = now

    def resolve(self, config: IncidentConfig, slack: SlackPeople | None) -> IncidentConfig:
        """``config`` with ids only. Without Slack (no token, or unreachable), kept answers stand in; an
        entry with none stays as written and is logged. ``UnknownMembers`` for entries Slack refuses."""
        wanted = entries(config)
        if not wanted:
            return config
        kept = self._kept()
        if slack is not None:
            try:
                ids, problems = ask_slack(wanted, slack)
            except Unreachable as exc:
                log.warning("could not resolve on-call members with Slack (%s): using the ids kept from the last "
                            "start", exc)
            else:
                if problems:
                    raise UnknownMembers(problems)
                self._keep(ids)
                return with_ids(config, ids)
        missing = sorted({e.written for e in wanted if e.key not in kept})
        if missing:
            log.warning("on-call members not resolved yet (Slack is off or unreachable, and no earlier answer is "
                        "kept): %s", ", ".join(missing))
        return with_ids(config, kept)

    def _kept(self) -> dict[str, str]:
        if self._sessions is None:
            return {}
        with self._sessions() as session:
            return dict(session.execute(select(MemberEntry.entry, MemberEntry.user_id)).tuples().all())

    def _keep(self, ids: dict[str, str]) -> None:
        if self._sessions is None:
            return
        try:
            with self._sessions() as session, session.begin():
                for entry, user in ids.items():
                    session.merge(MemberEntry(entry=entry, user_id=user, resolved_at=self._now()))
        except IntegrityError:  # another process starting at the same moment kept the same answers first
            log.info("on-call members were kept by another process starting at the same time")
