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
- drills count nowhere: not in a figure, an export, the digest or the downtime (``_counted``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from bot.retro.periods import Bucket
from bot.retro.sql import buckets_table, earlier, later, seconds_between, spread
from models import Alert, Incident, Page, PageNotification, Person
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


def _escalated(page_id) -> object:
    later_level = aliased(PageNotification)
    return exists().where(later_level.page_id == page_id, later_level.level > 0)


def _per_incident(aggregate):
    """A per-incident aggregate over its page notifications (through the indexes, incident by incident)."""
    return (select(aggregate).join(Page, Page.id == PageNotification.page_id)
            .where(Page.incident_id == Incident.id).scalar_subquery())


def incident_facts(*columns, where=()):
    """Incidents with their first page and highest level paged, each looked up once per incident."""
    return (select(Incident.id, Incident.declared_at, Incident.acknowledged_at, Incident.mitigated_at,
                   Incident.resolved_at, Incident.transient, *columns,
                   type_coerce(_per_incident(func.min(PageNotification.created_at)), UTCDateTime).label("first_page"),
                   func.coalesce(_per_incident(func.max(PageNotification.level)), 0).label("highest"))
            .where(*where).subquery("facts"))


def incident_times(facts) -> dict[str, ColumnElement]:
    """Each incident's timings in seconds (None where the step has not happened)."""
    first, acknowledged = facts.c.first_page, facts.c.acknowledged_at
    ack_from = case((and_(first.is_not(None), first <= acknowledged), first), else_=facts.c.declared_at)
    return {
        "acknowledge": seconds_between(ack_from, acknowledged),
        "mitigate": seconds_between(facts.c.declared_at, func.coalesce(facts.c.mitigated_at, facts.c.resolved_at)),
        "resolve": seconds_between(facts.c.declared_at, facts.c.resolved_at),
    }


def incident_figures(session: Session, buckets: list[Bucket], service: str | None = None
                     ) -> dict[str, dict[tuple[str, str], IncidentFigures]]:
    """Per bucket label, per ``(kind, value)`` (``("all", "")``, ``("severity", "sev1")``,
    ``("service", "checkout")``): counts and timing spreads of the incidents declared in it. One
    statement: each incident's facts once, then every count and percentile in one aggregation."""
    b = buckets_table(buckets, "buckets")
    facts = incident_facts(b.c.label.label("bucket"), Incident.severity,
                           func.coalesce(Incident.service, "").label("service"),
                           where=[Incident.declared_at >= b.c.lo, Incident.declared_at < b.c.hi, *_counted(service)])
    counted = case((facts.c.transient, None), else_=1)  # a transient alert has no timings
    rows = (select(facts.c.bucket, facts.c.severity, facts.c.service,
                   *(case((facts.c.transient, None), else_=value).label(name)
                     for name, value in incident_times(facts).items()),
                   case((facts.c.highest > 0, counted), else_=0).label("escalated"),
                   case((facts.c.transient, 0), else_=1).label("declared"),
                   case((facts.c.transient, 1), else_=0).label("transient")).cte("rows"))
    dims = union_all(
        select(rows.c.bucket, literal("all").label("kind"), literal("").label("value"), *_facts(rows)),
        select(rows.c.bucket, literal("severity"), rows.c.severity, *_facts(rows)),
        select(rows.c.bucket, literal("service"), rows.c.service, *_facts(rows)),
    ).subquery("dims")
    keys = [dims.c.bucket, dims.c.kind, dims.c.value]
    windows, spreads = [], []
    for name in METRICS:
        window, aggregates = spread(dims.c[name].nulls_last(), keys, (50, 90), counted=dims.c[name], prefix=name)
        windows += window
        spreads.append((name, aggregates))
    ranked = select(*dims.c, *windows).subquery("ranked")
    groups = [ranked.c.bucket, ranked.c.kind, ranked.c.value]
    query = select(*groups, func.sum(ranked.c.declared), func.sum(ranked.c.escalated), func.sum(ranked.c.transient),
                   *(column for name, aggregates in spreads
                     for column in aggregates(ranked.c[f"{name}_i"], ranked.c[f"{name}_n"], ranked.c[name]))
                   ).group_by(*groups).order_by(*groups)  # breakdowns listed by name
    found: dict[str, dict[tuple[str, str], IncidentFigures]] = defaultdict(dict)
    for bucket, kind, value, declared, escalated, transient, *percentiles in session.execute(query):
        counts = int(declared), int(escalated or 0), int(transient)
        times = {name: Spread(*(None if p is None else _ms(p) for p in percentiles[2 * n: 2 * n + 2]))
                 for n, name in enumerate(METRICS)}
        found[bucket][(kind, value)] = IncidentFigures(*counts, times)
    return dict(found)


def _ms(seconds) -> float:
    """To the millisecond: SQLite's julianday arithmetic carries noise in the microseconds."""
    return round(float(seconds), 3)


def _facts(rows) -> list:
    return [rows.c[name] for name in METRICS] + [rows.c.escalated, rows.c.declared, rows.c.transient]


def _counted(service: str | None) -> list:
    """The incidents every figure, export and digest counts: drills never (a rehearsal is not an outage, and
    its pages woke nobody for real), of one service when asked."""
    return [Incident.drill.is_(False), *([] if service is None else [Incident.service == service])]


def pages_per_person(session: Session, buckets: list[Bucket], service: str | None = None
                     ) -> dict[str, list[PersonPages]]:
    """Per bucket label, who was paged and how often out of hours, the most paged first."""
    b = buckets_table(buckets, "buckets")
    out_of_hours = func.sum(case((PageNotification.out_of_hours, 1), else_=0))
    query = (select(b.c.label, PageNotification.user_id, func.count(), out_of_hours).select_from(PageNotification)
             .join(b, and_(PageNotification.created_at >= b.c.lo, PageNotification.created_at < b.c.hi))
             .join(Page, Page.id == PageNotification.page_id).join(Incident, Incident.id == Page.incident_id)
             .where(PageNotification.renotify.is_(False), *_counted(service))
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
             .where(PageNotification.renotify.is_(False), *_counted(service))
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
                    Incident.declared_at < until, *_counted(service),
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


def _name(actor, person) -> ColumnElement:
    """The directory's name for ``actor`` (a system such as "PagerDuty: …" is its own name; a person Slack
    has not been asked about yet, their id)."""
    return func.coalesce(person.name, actor)


def page_log(since: datetime, until: datetime, service: str | None = None) -> Select:
    """Every page sent in ``[since, until)``, oldest first, with the columns of the CSV export."""
    reason = case((PageNotification.renotify, "renotify"), (PageNotification.level > 0, "escalation"),
                  else_=func.coalesce(Page.cause, "page"))
    acknowledged_after = case((Page.acknowledged_at >= PageNotification.created_at,
                               seconds_between(PageNotification.created_at, Page.acknowledged_at)))
    paged, acknowledger = aliased(Person), aliased(Person)
    return (select(PageNotification.created_at.label("paged_at"), PageNotification.user_id,
                   _name(PageNotification.user_id, paged).label("user_name"),
                   Incident.id.label("incident"), Incident.service, Incident.severity,
                   (PageNotification.level + 1).label("level"), reason.label("reason"),
                   PageNotification.out_of_hours, Page.acknowledged_by,
                   _name(Page.acknowledged_by, acknowledger).label("acknowledged_by_name"),
                   acknowledged_after.label("acknowledged_after_s"), _escalated(Page.id).label("escalated"))
            .join(Page, Page.id == PageNotification.page_id).join(Incident, Incident.id == Page.incident_id)
            .outerjoin(paged, paged.user_id == PageNotification.user_id)
            .outerjoin(acknowledger, acknowledger.user_id == Page.acknowledged_by)
            .where(PageNotification.created_at >= since, PageNotification.created_at < until, *_counted(service))
            .order_by(PageNotification.created_at, PageNotification.id))


def incident_log(since: datetime, until: datetime, service: str | None = None) -> Select:
    """Every incident declared in ``[since, until)``, one row each, with every timing."""
    pages = _per_incident(func.count(PageNotification.id).filter(PageNotification.renotify.is_(False)))
    facts = incident_facts(Incident.title, Incident.service, Incident.severity, Incident.status,
                           Incident.acknowledged_by, type_coerce(pages, Integer).label("pages"),
                           where=[Incident.declared_at >= since, Incident.declared_at < until, *_counted(service)])
    c = facts.c
    acknowledger = aliased(Person)
    return (select(c.id.label("incident"), c.title, c.service, c.severity, c.status, c.transient, c.declared_at,
                   c.acknowledged_at, c.acknowledged_by, _name(c.acknowledged_by, acknowledger).label("acknowledged_by_name"),
                   c.mitigated_at, c.resolved_at,
                   *(value.label(f"time_to_{name}_s") for name, value in incident_times(facts).items()),
                   type_coerce(c.highest > 0, Boolean).label("escalated"), c.pages)
            .outerjoin(acknowledger, acknowledger.user_id == c.acknowledged_by)
            .order_by(c.declared_at, c.id))


def services_seen(session: Session) -> list[str]:
    return list(session.scalars(select(Incident.service).where(Incident.service.is_not(None)).distinct()))
