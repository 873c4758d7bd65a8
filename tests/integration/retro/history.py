"""A fixed history for the retro figures, in Europe/Rome, around the end of summer time (25 Oct 2026,
03:00 CEST → 02:00 CET): the expected figures are worked out by hand in the tests beside it.

- INC-1 sev1 checkout, from an alert that started at 22:20 UTC on Sun 25 Oct (23:20 CET, week 43):
  Bob paged 22:31 (out of hours), acknowledged 22:36; mitigated 23:10, resolved 23:50.
- INC-2 sev2 checkout, declared Sun 25 Oct 23:30 UTC = Mon 26 Oct 00:30 CET (week 44 locally, still
  Sunday in UTC): Bob paged 23:30, renotified 23:32, escalated to Carol 23:35 who acknowledged 23:40;
  mitigated 01:00, resolved 02:00.
- INC-3 sev1 checkout, declared 00:30 UTC on 26 Oct, overlapping INC-2; nobody paged, Alice
  acknowledged 00:32; resolved 01:30 without a separate mitigation.
- INC-4 sev3 payments, Tue 27 Oct 10:00 UTC (in hours): Bob paged 10:00, acknowledged 10:03; resolved 11:00.
- INC-5 sev2 checkout, 28 Oct 12:00: a transient alert, resolved 12:01, nobody paged.
- INC-6 sev2 payments, Mon 2 Nov 09:00 UTC (week 45): Alice paged 09:02, acknowledged 09:12;
  mitigated 09:30, resolved 10:00.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session

from models import Alert, Incident, Page, PageNotification, Person
from tests.people import NAMES

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=timezone.utc)
CONFIG = {"timezone": "Europe/Rome"}
BOB, CAROL, ALICE = "U02BOB", "U03CAROL", "U01ALICE"


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


def _incident(session: Session, number: int, severity: str, service: str, declared: datetime, *,
              acknowledged: tuple[str, datetime] | None = None, mitigated: datetime | None = None,
              resolved: datetime | None = None, transient: bool = False, by: str = ALICE) -> Incident:
    incident = Incident(id=number, title=f"Incident {number}", severity=severity, service=service, declared_by=by,
                        declared_at=declared, status="resolved" if resolved else "investigating",
                        acknowledged_by=acknowledged and acknowledged[0], acknowledged_at=acknowledged and acknowledged[1],
                        mitigated_at=mitigated, resolved_at=resolved, transient=transient, invited_users=[])
    session.add(incident)
    session.flush()
    return incident


def _page(session: Session, incident: Incident, cause: str, started: datetime, acknowledged: tuple[str, datetime],
          sent: list[tuple[str, int, bool, datetime, bool]]) -> None:
    """``sent``: (user, level, renotify, at, out of hours) per notification."""
    page = Page(incident_id=incident.id, policy="default", reason=cause, cause=cause, state="acknowledged",
                level=max(level for _, level, _, _, _ in sent), cycle=0, started_at=started, starts_at=started,
                acknowledged_by=acknowledged[0], acknowledged_at=acknowledged[1])
    session.add(page)
    session.flush()
    for user, level, renotify, when, late in sent:
        session.add(PageNotification(page_id=page.id, user_id=user, level=level, target="schedule:primary",
                                     renotify=renotify, created_at=when, sent_at=when, out_of_hours=late))


def build(session: Session) -> None:
    for user in (ALICE, BOB, CAROL):  # the people directory knows them (the web tests check their names)
        session.add(Person(user_id=user, name=NAMES[user], gone=False, fetched_at=NOW))
    one = _incident(session, 1, "sev1", "checkout", at(10, 25, 22, 30), acknowledged=(BOB, at(10, 25, 22, 36)),
                    mitigated=at(10, 25, 23, 10), resolved=at(10, 25, 23, 50), by="alertmanager")
    session.add(Alert(source="alertmanager", dedup_key="checkout-5xx", incident_id=one.id, title="5xx",
                      fired_at=at(10, 25, 22, 30), last_seen_at=at(10, 25, 23, 50), started_at=at(10, 25, 22, 20),
                      resolved_at=at(10, 25, 23, 50), firing=False, payload={}))
    _page(session, one, "alert", at(10, 25, 22, 30), (BOB, at(10, 25, 22, 36)),
          [(BOB, 0, False, at(10, 25, 22, 31), True)])
    two = _incident(session, 2, "sev2", "checkout", at(10, 25, 23, 30), acknowledged=(CAROL, at(10, 25, 23, 40)),
                    mitigated=at(10, 26, 1), resolved=at(10, 26, 2))
    _page(session, two, "declared", at(10, 25, 23, 30), (CAROL, at(10, 25, 23, 40)),
          [(BOB, 0, False, at(10, 25, 23, 30), True), (BOB, 0, True, at(10, 25, 23, 32), True),
           (CAROL, 1, False, at(10, 25, 23, 35), True)])
    _incident(session, 3, "sev1", "checkout", at(10, 26, 0, 30), acknowledged=(ALICE, at(10, 26, 0, 32)),
              resolved=at(10, 26, 1, 30))
    four = _incident(session, 4, "sev3", "payments", at(10, 27, 10), acknowledged=(BOB, at(10, 27, 10, 3)),
                     resolved=at(10, 27, 11))
    _page(session, four, "command", at(10, 27, 10), (BOB, at(10, 27, 10, 3)), [(BOB, 0, False, at(10, 27, 10), False)])
    _incident(session, 5, "sev2", "checkout", at(10, 28, 12), resolved=at(10, 28, 12, 1), transient=True,
              by="alertmanager")
    six = _incident(session, 6, "sev2", "payments", at(11, 2, 9), acknowledged=(ALICE, at(11, 2, 9, 12)),
                    mitigated=at(11, 2, 9, 30), resolved=at(11, 2, 10))
    _page(session, six, "declared", at(11, 2, 9), (ALICE, at(11, 2, 9, 12)), [(ALICE, 0, False, at(11, 2, 9, 2), False)])
