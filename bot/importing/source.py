"""What an importer reads from another pager, in that pager's own terms but our shapes.

Each reader (``pagerduty``, ``opsgenie``, ``grafana``) fills a ``Source``: people by the source's
own ids, schedules as rotations (lowest priority first), escalation policies, services, overrides
ahead, what the source itself says is on call (for the comparison), and the ``Leftover``s it found
no equivalent for. Turning it into our configuration is ``bot.importing.mapping``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str | None


@dataclass(frozen=True)
class Window:
    """On ``days`` (0 = Monday) from ``start`` to ``end`` in the layer's zone; ``end <= start`` crosses midnight."""

    days: tuple[int, ...]
    start: time
    end: time


@dataclass(frozen=True)
class Rotation:
    """A layer as the source defines it: participant ``i`` takes turn ``i`` (of ``turn`` each) counting from ``start``.

    ``calendar`` turns keep the wall-clock time of ``start`` in ``zone`` (whole days); the others last
    ``turn`` of elapsed time. ``windows`` (None: always) restrict when the layer covers anything.
    """

    name: str
    zone: str
    start: datetime
    turn: timedelta
    calendar: bool
    participants: list[str]
    windows: list[Window] | None = None


@dataclass
class Schedule:
    id: str
    name: str
    zone: str
    rotations: list[Rotation] = field(default_factory=list)  # the later wins where several cover


@dataclass(frozen=True)
class Target:
    kind: str  # "user" or "schedule"
    id: str


@dataclass
class Level:
    targets: list[Target]
    escalate_after: timedelta | None


@dataclass
class Policy:
    id: str
    name: str
    levels: list[Level]
    repeat: int = 0


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    policy_id: str | None
    description: str | None = None


@dataclass(frozen=True)
class OverrideEntry:
    schedule_id: str
    user_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Leftover:
    """A construct with no equivalent here: ``what`` names it as the source does, ``why`` says what happens instead."""

    what: str
    why: str


@dataclass(frozen=True)
class SourceShift:
    """The source's own answer: ``users`` (its ids) are on call over ``[start, end)``."""

    start: datetime
    end: datetime
    users: frozenset[str]


@dataclass
class Source:
    kind: str  # "PagerDuty", "Opsgenie", "Grafana OnCall"
    url: str
    people: dict[str, Person] = field(default_factory=dict)
    schedules: list[Schedule] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    overrides: list[OverrideEntry] = field(default_factory=list)
    rendering: dict[str, list[SourceShift]] = field(default_factory=dict)  # by schedule id
    leftovers: list[Leftover] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said, but nothing lost (an ended layer): no exit status 3

    def leave(self, what: str, why: str) -> None:
        self.leftovers.append(Leftover(what, why))
