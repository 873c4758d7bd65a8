"""The imported configuration as a file: its text, its difference from the file there, and writing it.

An existing file keeps its other keys (timezone, severities, ...); ``schedules``,
``escalation_policies`` and ``services`` are the imported ones. The text is checked by the same
loader the bot starts with before anything is shown or written.
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

import yaml

from bot.config import ConfigError, IncidentConfig, load_config
from bot.importing.api import ImportFailure
from bot.importing.mapping import ImportedOverride, Mapped

IMPORTED_KEYS = ("schedules", "escalation_policies", "services")
_SLACK_ID = re.compile(r"^(\s*- (?:user: )?)([UW][A-Z0-9]{2,})$", re.MULTILINE)


class _Dumper(yaml.SafeDumper):
    """Times of day in quotes, "09:00" as the example file writes them (YAML 1.1 reads an unquoted 18:00 as a number)."""


_Dumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style='"' if re.fullmatch(r"(\w{3} )?\d\d:\d\d", value) else None))


def existing(path: Path) -> tuple[str | None, dict]:
    """The file's text and data, or (None, {}) when there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, {}
    except OSError as exc:
        raise ImportFailure(f"{path}: cannot read it ({exc.strerror})", status=2) from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        raise ImportFailure(f"{path}: not valid YAML; fix it or pass --out with another file", status=2) from None
    if not isinstance(data, dict):
        raise ImportFailure(f"{path}: not a configuration file (no mapping at the top)", status=2)
    return text, data


def render(mapped: Mapped, kept: dict, timezone: str, kind: str, url: str, now: datetime,
           names: dict[str, str]) -> str:
    """The file: where it came from and when, then the configuration, each Slack id followed by the person's name."""
    data = {"timezone": timezone, **{k: v for k, v in kept.items() if k not in IMPORTED_KEYS and k != "timezone"}}
    data.update(schedules=mapped.schedules, escalation_policies=mapped.escalation_policies, services=mapped.services)
    header = [
        f"# Imported from {kind} ({url}) on {now:%Y-%m-%d %H:%M} UTC by `python -m bot import`.",
        f"# {len(mapped.overrides)} override(s) ahead went into the database; "
        + (f"{len(mapped.leftovers)} thing(s) could not be carried over (listed by the import)."
           if mapped.leftovers else "everything was carried over."),
    ]
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120)
    body = _SLACK_ID.sub(lambda m: f"{m[0]}  # {names[m[2]]}" if m[2] in names else m[0], body)
    return "\n".join(header) + "\n" + body


def validated(text: str, out: Path, kept: dict) -> IncidentConfig:
    """The configuration ``text`` means, read by the bot's own loader; an ImportFailure if it would not start
    (``kept``: the existing file's keys, which may name a schedule or service the import replaced)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / out.name
        path.write_text(text, encoding="utf-8")
        try:
            return load_config(path)
        except ConfigError as exc:
            problem = str(exc).splitlines()[0].replace(str(path), str(out))
            if set(kept) - {"timezone", *IMPORTED_KEYS}:
                why, status = "the file's other keys name something the import replaced; fix them, or --out a new file", 2
            else:
                why, status = "a bug in the import, please report it", 1
            raise ImportFailure(f"the imported configuration would not pass check-config ({why}): {problem}",
                                status=status) from None


def diff(old: str, new: str, path: Path) -> str:
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                 fromfile=f"{path} (now)", tofile=f"{path} (imported)")
    return "".join(lines) or f"(no difference from {path})\n"


def write_atomically(path: Path, text: str, before_replace=lambda: None) -> None:
    """Write beside ``path``, call ``before_replace`` (the database's part), then move into place:
    a failure on either side leaves the old file as it was."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as exc:
        raise ImportFailure(f"{path}: cannot write it ({exc.strerror})", status=2) from None
    try:
        before_replace()
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def save_overrides(overrides: list[ImportedOverride], database_url: str, kind: str, now: datetime) -> int:
    """The overrides ahead as rows of the overrides table, in one transaction; one already there is not added twice.
    They are set by "the PagerDuty import" (what ``/incident oncall`` shows as who set them)."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import sessionmaker

    from bot.core.db import make_engine
    from models.oncall import Override

    engine = make_engine(database_url)
    added = 0
    try:
        with sessionmaker(engine)() as session, session.begin():
            for override in overrides:
                there = session.scalar(select(Override.id).where(
                    Override.schedule == override.schedule, Override.user_id == override.user,
                    Override.starts_at == override.start, Override.ends_at == override.end))
                if there is None:
                    session.add(Override(schedule=override.schedule, user_id=override.user, starts_at=override.start,
                                         ends_at=override.end, created_by=f"the {kind} import", created_at=now))
                    added += 1
    except SQLAlchemyError as exc:
        raise ImportFailure(f"cannot write the overrides to DATABASE_URL ({type(exc).__name__}: "
                            f"{str(exc.orig if hasattr(exc, 'orig') else exc).splitlines()[0]}); "
                            "run `alembic upgrade head` first") from None
    finally:
        engine.dispose()
    return added
