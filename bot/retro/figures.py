"""The retro's figures, each computed by one SQL aggregation (SQLAlchemy, both dialects).

Definitions (one place):
- *time to acknowledge*: from the first page (else the declaration) to the first acknowledgement;
  *time to mitigate*: declaration to mitigation (else resolution); *time to resolve*: declaration to
  resolution, as the incident report has them. Median and p90 (percentile_cont's interpolation).
- *declared*: incidents opened in the bucket, transient ones apart; *transient*: alerts that resolved
  before anyone was paged; *escalated*: someone past level 1 was paged.
- *pages per person*: page notifications a person got (renotifies not counted again), and how many of
  those were outside business hours when sent.
- *downtime*: per service, from an incident's start (the declaration, or its alert's ``startsAt`` if
  earlier) to its mitigation (else resolution, else now), for the severities that count as downtime;
  overlapping incidents of one service count once (merged in SQL); transient alerts are not downtime.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, Select, and_, case, exists, func, literal, or_, select, type_coerce, union_all
from sqlalchemy.orm import Session, aliased

from bot.retro.periods import Bucket
from bot.retro.sql import buckets_table, earlier, later, seconds_between, spread
from models import Alert, Incident, Page, PageNotification
from models.types import UTCDateTime

METRICS = ("acknowledge", "mitigate", "resolve")
ALL = ("all", "")  # the (kind, value) of the figures over every service and severity


@dataclass
class Spread:
    median: float | None = None
    p90: float | None = None


@dataclass
class IncidentFigures:
    declared: int = 0
    escalated: int = 0
    transient: int = 0
    times: dict[str, Spread] = field(default_factory=lambda: {metric: Spread() for metric in METRICS})


@dataclass(frozen=True)
class PersonPages:
    user_id: str
    pages: int
    out_of_hours: int


def _first_page():
    return (select(func.min(PageNotification.created_at)).join(Page, Page.id == PageNotification.page_id)
            .where(Page.incident_id == Incident.id).scalar_subquery())


def _escalated(page_id) -> object:
    later_level = aliased(PageNotification)
    return exists().where(later_level.page_id == page_id, later_level.level > 0)


def _incident_escalated():
    later_level = aliased(PageNotification)
    return (exists().where(Page.incident_id == Incident.id, later_level.page_id == Page.id, later_level.level > 0))


def incident_times():
    """Each incident's timings in seconds (None where the step has not happened)."""
    first = type_coerce(_first_page(), UTCDateTime)
    ack_from = case((and_(first.is_not(None), first <= Incident.acknowledged_at), first), else_=Incident.declared_at)
    return {
        "acknowledge": seconds_between(ack_from, Incident.acknowledged_at),
        "mitigate": seconds_between(Incident.declared_at, func.coalesce(Incident.mitigated_at, Incident.resolved_at)),
        "resolve": seconds_between(Incident.declared_at, Incident.resolved_at),
    }


def incident_figures(session: Session, buckets: list[Bucket], service: str | None = None
                     ) -> dict[str, dict[tuple[str, str], IncidentFigures]]:
    """Per bucket label, per ``(kind, value)`` (``("all", "")``, ``("severity", "sev1")``,
    ``("service", "checkout")``): counts and timing spreads of the incidents declared in it."""
    b = buckets_table(buckets, "buckets")
    times = incident_times()
    rows = (select(b.c.label.label("bucket"), Incident.severity, func.coalesce(Incident.service, "").label("service"),
                   *(value.label(name) for name, value in times.items()),
                   case((_incident_escalated(), 1), else_=0).label("escalated"),
                   case((Incident.transient, 1), else_=0).label("transient"))
            .join(b, and_(Incident.declared_at >= b.c.lo, Incident.declared_at < b.c.hi))
            .where(*_service_is(service)).cte("rows"))
    dims = union_all(
        select(rows.c.bucket, literal("all").label("kind"), literal("").label("value"), *_facts(rows)),
        select(rows.c.bucket, literal("severity"), rows.c.severity, *_facts(rows)),
        select(rows.c.bucket, literal("service"), rows.c.service, *_facts(rows)),
    ).cte("dims")
    keys = [dims.c.bucket, dims.c.kind, dims.c.value]
    found: dict[str, dict[tuple[str, str], IncidentFigures]] = defaultdict(lambda: defaultdict(IncidentFigures))
    counts = select(*keys, func.sum(1 - dims.c.transient), func.sum(dims.c.escalated * (1 - dims.c.transient)),
                    func.sum(dims.c.transient)).group_by(*keys)
    for bucket, kind, value, declared, escalated, transient in session.execute(counts):
        found[bucket][(kind, value)] = IncidentFigures(int(declared), int(escalated), int(transient))
    long = union_all(*(select(*keys, literal(name).label("metric"), dims.c[name].label("v"))
                       .where(dims.c[name].is_not(None), dims.c.transient == 0) for name in METRICS)).subquery("long")
    partition = [long.c.bucket, long.c.kind, long.c.value, long.c.metric]
    window, aggregates = spread(long.c.v, partition, (50, 90))
    ranked = select(*partition, long.c.v, *window).subquery("ranked")
    groups = [ranked.c.bucket, ranked.c.kind, ranked.c.value, ranked.c.metric]
    for bucket, kind, value, metric, p50, p90 in session.execute(
            select(*groups, *aggregates(ranked.c.i, ranked.c.n, ranked.c.v)).group_by(*groups)):
        found[bucket][(kind, value)].times[metric] = Spread(_ms(p50), _ms(p90))
    return {bucket: dict(figures) for bucket, figures in found.items()}


def _ms(seconds) -> float:
    """To the millisecond: SQLite's julianday arithmetic carries noise in the microseconds."""
    return round(float(seconds), 3)


def _facts(rows) -> list:
    return [rows.c[name] for name in METRICS] + [rows.c.escalated, rows.c.transient]


def _service_is(service: str | None) -> list:
    return [] if service is None else [Incident.service == service]


def pages_per_person(session: Session, buckets: list[Bucket], service: str | None = None
                     ) -> dict[str, list[PersonPages]]:
    """Per bucket label, who was paged and how often out of hours, the most paged first."""
    b = buckets_table(buckets, "buckets")
    out_of_hours = func.sum(case((PageNotification.out_of_hours, 1), else_=0))
    query = (select(b.c.label, PageNotification.user_id, func.count(), out_of_hours).select_from(PageNotification)
             .join(b, and_(PageNotification.created_at >= b.c.lo, PageNotification.created_at < b.c.hi))
             .join(Page, Page.id == PageNotification.page_id).join(Incident, Incident.id == Page.incident_id)
             .where(PageNotification.renotify.is_(False), *_service_is(service))
             .group_by(b.c.label, PageNotification.user_id)
             .order_by(b.c.label, func.count().desc(), out_of_hours.desc(), PageNotification.user_id))
    found: dict[str, list[PersonPages]] = defaultdict(list)
    for bucket, user, pages, late in session.execute(query):
        found[bucket].append(PersonPages(user, int(pages), int(late or 0)))
    return dict(found)


def pages_per_day(session: Session, buckets: list[Bucket], service: str | None = None) -> dict[str, dict[str, int]]:
    """Per bucket label (a day), pages sent per severity of their incident (renotifies not counted again)."""
    b = buckets_table(buckets, "buckets")
    query = (select(b.c.label, Incident.severity, func.count()).select_from(PageNotification)
             .join(b, and_(PageNotification.created_at >= b.c.lo, PageNotification.created_at < b.c.hi))
             .join(Page, Page.id == PageNotification.page_id).join(Incident, Incident.id == Page.incident_id)
             .where(PageNotification.renotify.is_(False), *_service_is(service))
             .group_by(b.c.label, Incident.severity))
    found: dict[str, dict[str, int]] = {bucket.label: {} for bucket in buckets}
    for day, severity, count in session.execute(query):
        found[day][severity] = int(count)
    return found


def downtime_islands(severities: list[str], since: datetime, until: datetime, now: datetime, service: str | None = None):
    """Per service, the merged stretches of downtime that touch ``[since, until)`` (gaps and islands)."""
    alert_start = type_coerce(select(func.min(Alert.started_at)).where(Alert.incident_id == Incident.id)
                              .scalar_subquery(), UTCDateTime)
    start = case((and_(alert_start.is_not(None), alert_start < Incident.declared_at), alert_start),
                 else_=Incident.declared_at)
    end = type_coerce(func.coalesce(Incident.mitigated_at, Incident.resolved_at, literal(now, UTCDateTime)), UTCDateTime)
    spans = (select(Incident.id, Incident.service, start.label("lo"), end.label("hi"))
             .where(Incident.severity.in_(severities), Incident.service.is_not(None), Incident.transient.is_(False),
                    Incident.declared_at < until, *_service_is(service),
                    or_(func.coalesce(Incident.mitigated_at, Incident.resolved_at).is_(None),
                        func.coalesce(Incident.mitigated_at, Incident.resolved_at) > since))
             .subquery("spans"))
    order = [spans.c.lo, spans.c.id]
    before = (select(spans.c.service, spans.c.lo, spans.c.hi, spans.c.id,
                     func.max(spans.c.hi).over(partition_by=spans.c.service, order_by=order, rows=(None, -1))
                     .label("reach")).subquery("before"))
    starts_island = case((or_(before.c.reach.is_(None), before.c.lo > before.c.reach), 1), else_=0)
    numbered = (select(before.c.service, before.c.lo, before.c.hi,
                       func.sum(starts_island).over(partition_by=before.c.service,
                                                    order_by=[before.c.lo, before.c.id], rows=(None, 0))
                       .label("island")).subquery("numbered"))
    return (select(numbered.c.service, type_coerce(func.min(numbered.c.lo), UTCDateTime).label("lo"),
                   type_coerce(func.max(numbered.c.hi), UTCDateTime).label("hi"))
            .group_by(numbered.c.service, numbered.c.island).subquery("islands"))


def uptime(session: Session, severities: list[str], buckets: list[Bucket], services: list[str], now: datetime,
           service: str | None = None) -> dict[str, dict[str, float]]:
    """Per service, per bucket label, the percentage of the bucket that was not downtime."""
    found = {name: {bucket.label: 100.0 for bucket in buckets} for name in services}
    if not buckets or not severities:
        return found
    islands = downtime_islands(severities, min(b.start for b in buckets), max(b.end for b in buckets), now, service)
    b = buckets_table(buckets, "buckets")
    down = func.sum(seconds_between(later(islands.c.lo, b.c.lo), earlier(islands.c.hi, b.c.hi)))
    percent = 100.0 * (1 - down / seconds_between(b.c.lo, b.c.hi))
    query = (select(islands.c.service, b.c.label, percent)
             .join(b, and_(islands.c.lo < b.c.hi, islands.c.hi > b.c.lo))
             .group_by(islands.c.service, b.c.label, b.c.lo, b.c.hi))
    for name, label, value in session.execute(query):
        found.setdefault(name, {bucket.label: 100.0 for bucket in buckets})[label] = float(value)
    return found


def page_log(since: datetime, until: datetime, service: str | None = None) -> Select:
    """Every page sent in ``[since, until)``, oldest first, with the columns of the CSV export."""
    reason = case((PageNotification.renotify, "renotify"), (PageNotification.level > 0, "escalation"),
                  else_=func.coalesce(Page.cause, "page"))
    acknowledged_after = case((Page.acknowledged_at >= PageNotification.created_at,
                               seconds_between(PageNotification.created_at, Page.acknowledged_at)))
    return (select(PageNotification.created_at.label("paged_at"), PageNotification.user_id,
                   Incident.id.label("incident"), Incident.service, Incident.severity,
                   (PageNotification.level + 1).label("level"), reason.label("reason"),
                   PageNotification.out_of_hours, Page.acknowledged_by, acknowledged_after.label("acknowledged_after_s"),
                   _escalated(Page.id).label("escalated"))
            .join(Page, Page.id == PageNotification.page_id).join(Incident, Incident.id == Page.incident_id)
            .where(PageNotification.created_at >= since, PageNotification.created_at < until, *_service_is(service))
            .order_by(PageNotification.created_at, PageNotification.id))


def incident_log(since: datetime, until: datetime, service: str | None = None) -> Select:
    """Every incident declared in ``[since, until)``, one row each, with every timing."""
    times = incident_times()
    pages = (select(func.count()).select_from(PageNotification).join(Page, Page.id == PageNotification.page_id)
             .where(Page.incident_id == Incident.id, PageNotification.renotify.is_(False)).scalar_subquery())
    return (select(Incident.id.label("incident"), Incident.title, Incident.service, Incident.severity, Incident.status,
                   Incident.transient, Incident.declared_at, Incident.acknowledged_at, Incident.acknowledged_by,
                   Incident.mitigated_at, Incident.resolved_at,
                   *(value.label(f"time_to_{name}_s") for name, value in times.items()),
                   _incident_escalated().label("escalated"), type_coerce(pages, Integer).label("pages"))
            .where(Incident.declared_at >= since, Incident.declared_at < until, *_service_is(service))
            .order_by(Incident.declared_at, Incident.id))


def services_seen(session: Session) -> list[str]:
    return list(session.scalars(select(Incident.service).where(Incident.service.is_not(None)).distinct()))
