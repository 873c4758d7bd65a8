"""What the retro's readers ask for (``/incident stats``, the web page, the digest, the CSV), each
answered from ``figures``; periods and services are checked here, so every surface refuses alike."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.core.calendar import midnight
from bot.core.clock import Clock
from bot.core.db import PLAIN_READ
from bot.core.errors import UserError, code
from bot.retro import export, figures
from bot.retro.figures import IncidentFigures, PersonPages
from bot.retro.periods import Bucket, Period, days, days_between, parse_period, rolling, weeks
from bot.retro.sql import without_jit

TOP_PEOPLE = 5


@dataclass(frozen=True)
class Headline:
    """The figures of one period, for ``/incident stats``."""

    period: Period
    service: str | None
    incidents: IncidentFigures
    people: list[PersonPages]
    uptime: dict[str, float]  # per service, over the whole period


@dataclass(frozen=True)
class Weekly:
    """Week by week: the web page, the charts and the digest."""

    period: Period
    service: str | None
    weeks: list[Bucket]
    incidents: dict[str, dict[tuple[str, str], IncidentFigures]]  # week label → (kind, value) → figures
    people: dict[str, list[PersonPages]]
    rolling_uptime: dict[str, dict[str, float]]  # service → week label → four-week rolling uptime
    daily_uptime: dict[str, dict[str, float]]  # service → day → uptime, the last 90 days
    pages_per_day: dict[str, dict[str, int]]  # day → severity → pages

    def week(self, label: str) -> IncidentFigures:
        return self.incidents.get(label, {}).get(figures.ALL, IncidentFigures())


class RetroService:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock

    def _read(self) -> Session:
        session = self._sessions()
        session.connection(execution_options=PLAIN_READ)
        without_jit(session)
        return session

    def headline(self, text: str) -> Headline:
        """``/incident stats [4w|this week|since DATE] [service]``."""
        period, rest = parse_period(text.split(), self._clock.now(), self._config.tz)
        if len(rest) > 1:
            raise UserError(f"{code(' '.join(rest))} is not a period and a service.", command="stats")
        with self._read() as session:
            service = self._service(session, rest[0] if rest else None)
            whole = [Bucket(period.label, period.since, period.until)]
            found = figures.incident_figures(session, whole, service).get(period.label, {})
            people = figures.pages_per_person(session, whole, service).get(period.label, [])
            uptime = figures.uptime(session, self._config.downtime_severities(), whole,
                                    self._services(session, service), period.until, service)
        return Headline(period, service, found.get(figures.ALL, IncidentFigures()), people[:TOP_PEOPLE],
                        {name: values[period.label] for name, values in uptime.items()})

    def weekly(self, period: Period | None = None, service: str | None = None) -> Weekly:
        now = self._clock.now()
        period = period or parse_period([], now, self._config.tz)[0]
        tz = self._config.tz
        with self._read() as session:
            service = self._service(session, service)
            week_buckets = weeks(period.since, period.until, tz)
            services = self._services(session, service)
            severities = self._config.downtime_severities()
            day_buckets = days(now, tz)
            return Weekly(
                period, service, week_buckets,
                figures.incident_figures(session, week_buckets, service),
                figures.pages_per_person(session, week_buckets, service),
                _by_service(figures.uptime(session, severities, rolling(week_buckets, tz, now), services, now, service)),
                _by_service(figures.uptime(session, severities, day_buckets, services, now, service)),
                figures.pages_per_day(session, days_between(period.since, period.until, tz), service),
            )

    def page(self, period_text: str, service: str | None) -> Weekly:
        """The web page's figures: the same period words as ``/incident stats``, the service apart."""
        period, rest = parse_period(period_text.split(), self._clock.now(), self._config.tz)
        if rest:
            raise UserError(f"{code(period_text)} is not a period; use 4w, this week or since 2026-11-01.", field="period")
        return self.weekly(period, service)

    def digest(self, monday: date, span: int = 4) -> Weekly:
        """The ``span`` weeks ending with the one starting ``monday`` (the weekly digest compares the
        last two; its chart shows them all)."""
        tz = self._config.tz
        first = monday - timedelta(weeks=span - 1)
        since, until = midnight(first, tz), midnight(monday + timedelta(weeks=1), tz)
        return self.weekly(Period(since, until, f"the week of {monday:%d %b %Y}", f"since {first.isoformat()}"))

    def parse(self, text: str) -> tuple[Period, str | None]:
        period, rest = parse_period(text.split(), self._clock.now(), self._config.tz)
        return period, (rest[0] if rest else None)

    def csv(self, kind: str, since: str | None, until: str | None, service: str | None = None) -> Iterator[str]:
        """The CSV export; bad dates are refused before the first line (a ``UserError``)."""
        first, last = export.date_range(since, until, self._config.tz, self._clock.now())

        def stream() -> Iterator[str]:
            with self._read() as session:
                yield from export.lines(session, kind, first, last, self._config.tz, service)

        return stream()

    def services(self) -> list[str]:
        with self._read() as session:
            return self._services(session, None)

    def severities(self) -> list[str]:
        return self._config.severity_names()

    def _service(self, session: Session, name: str | None) -> str | None:
        if name is None:
            return None
        known = sorted(set(self._config.services) | set(figures.services_seen(session)))
        if name.lower() in (k.lower() for k in known):
            return next(k for k in known if k.lower() == name.lower())
        choices = f"one of {', '.join(known)}" if known else "no service has had an incident yet"
        raise UserError(f"{code(name)} is not a service; {choices}.", command="stats", field="service")

    def _services(self, session: Session, service: str | None) -> list[str]:
        if service is not None:
            return [service]
        return sorted(set(self._config.services) | set(figures.services_seen(session)))


def _by_service(found: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return dict(sorted(found.items()))
