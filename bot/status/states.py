"""The states a status page speaks in, as Statuspage does: a component's and a public incident's.

A component's state is the worst impact of the public incidents that affect it while they are
not resolved; an incident's impact on a component is what the Communication Lead said, else
what its severity says (the most severe a major outage, the next a partial outage, the rest
degraded performance).
"""

from __future__ import annotations

from enum import StrEnum

from models import Status


class ComponentState(StrEnum):
    OPERATIONAL = "operational"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def rank(self) -> int:
        """0 for operational, higher is worse."""
        return list(ComponentState).index(self)


IMPACTS = tuple(state for state in ComponentState if state is not ComponentState.OPERATIONAL)
"""The states an incident can put a component in."""


class PublicStatus(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        return self.value.capitalize()


_FROM_INTERNAL = {Status.INVESTIGATING: PublicStatus.INVESTIGATING, Status.IDENTIFIED: PublicStatus.IDENTIFIED,
                  Status.MITIGATED: PublicStatus.MONITORING, Status.RESOLVED: PublicStatus.RESOLVED}


def public_status_of(internal: str) -> PublicStatus:
    """The public word for an internal status: mitigated is *monitoring* to customers."""
    return _FROM_INTERNAL[Status(internal)]


def impact_of_rank(rank: int) -> ComponentState:
    """A severity's default impact by its rank (0 = the most severe)."""
    return IMPACTS[max(len(IMPACTS) - 1 - rank, 0)]


def worst(states) -> ComponentState:
    return max(states, key=lambda state: state.rank, default=ComponentState.OPERATIONAL)
