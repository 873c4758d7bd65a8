"""The console's ``/oncall``: per schedule, now and next (and per layer), and a two-week calendar whose rows
are each layer alone, the resulting rota, the time off and the open cover requests, and whose columns are
days in ``timezone``; overrides, cover for time off and gaps are marked on the pieces.

Plain values only: the template draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.calendar import to_utc
from bot.core.errors import UserError
from bot.paging import layers
from bot.paging.cover import CoverService
from bot.paging.gaps import Finding, GapCheck
from bot.paging.oncall import OnCallPart, OnCallService, OnCallStatus

DAYS = 14


@dataclass(frozen=True)
class Piece:
    """One person (None: a gap) over ``[start, end)`` within one day; ``mark`` says why it is there:
    ``shift``, ``override``, ``covering`` (for ``covering``, who is away), ``gap``, ``away``, ``cover``."""

    user: str | None
    start: datetime
    end: datetime
    mark: str
    covering: str | None = None
    number: int | None = None  # the time off's or cover request's number


@dataclass(frozen=True)
class BoardRow:
    name: str
    kind: str  # layer | rota | away | cover
    days: list[list[Piece]]  # one list per column


@dataclass(frozen=True)
class ScheduleBoard:
    status: OnCallStatus
    days: list[date]
    rows: list[BoardRow]
    findings: list[Finding]


class OnCallBoard(OnCallPart):
    def __init__(self, sessions, config, clock, oncall: OnCallService, cover: CoverService, gaps: GapCheck) -> None:
        super().__init__(sessions, config, clock, oncall)
        self._cover = cover
        self._gaps = gaps

    def boards(self) -> list[ScheduleBoard]:
        """Every schedule's board; none when no schedule is configured."""
        if not self._config.schedules:
            return []
        tz = self._config.tz
        today = self._clock.now().astimezone(tz).date()
        days = [today + timedelta(days=n) for n in range(DAYS)]
        edges = [to_utc(datetime.combine(day, datetime.min.time()), tz) for day in [*days, today + timedelta(DAYS)]]
        start, end = edges[0], edges[-1]
        rotas = self._oncall.rotas(start)
        requests = self._cover.open_requests()
        try:
            findings = self._gaps.findings()
        except UserError:
            findings = []
        boards = []
        for name, rota in rotas.items():
            rows = [BoardRow(layer.name, "layer", _by_day(_pieces(layers.only_layer(rota, layer.name), start, end,
                                                                  gaps=False), edges))
                    for layer in rota.layers]
            rows.append(BoardRow("On call", "rota", _by_day(_pieces(rota, start, end, gaps=True), edges)))
            away = [Piece(a.user, max(a.start, start), min(a.end, end), "away", number=a.id)
                    for spans in rota.away.values() for a in spans if a.end > start and a.start < end]
            if away:
                rows.append(BoardRow("Away", "away", _by_day(sorted(away, key=lambda p: p.start), edges)))
            asked = [Piece(r.requested_by, max(r.starts_at, start), min(r.ends_at, end), "cover", number=r.id)
                     for r in requests if r.schedule == name and r.ends_at > start and r.starts_at < end]
            if asked:
                rows.append(BoardRow("Cover asked", "cover", _by_day(asked, edges)))
            boards.append(ScheduleBoard(self._oncall.who(name), days, rows,
                                        [f for f in findings if name in (f.schedule or "").split(",")]))
        return boards


def _pieces(rota: layers.Rota, start: datetime, end: datetime, gaps: bool) -> list[Piece]:
    found = [Piece(s.user, s.start, s.end, "override" if s.override else "covering" if s.covering else "shift",
                   covering=s.covering) for s in layers.shifts(rota, start, end)]
    if gaps:
        found += [Piece(None, a, b, "gap") for a, b in layers.gaps(rota, start, end)]
    return sorted(found, key=lambda p: p.start)


def _by_day(pieces: list[Piece], edges: list[datetime]) -> list[list[Piece]]:
    """Each piece cut at midnights, into the columns it falls in."""
    columns: list[list[Piece]] = [[] for _ in edges[:-1]]
    for piece in pieces:
        for n, (opens, closes) in enumerate(zip(edges, edges[1:], strict=False)):
            a, b = max(piece.start, opens), min(piece.end, closes)
            if a < b:
                columns[n].append(Piece(piece.user, a, b, piece.mark, piece.covering, piece.number))
    return columns
