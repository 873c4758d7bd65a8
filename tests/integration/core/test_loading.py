"""An incident's parts loaded by statements built once (bot.core.loading): each collection holds the
rows its part narrows to, in its relationship's order, the parts under them too, readable once the
session is closed; a collection already loaded is kept unless the load refreshes."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker

from bot.core.loading import IncidentParts, Part
from models import ActionItem, Delivery, Incident, Page, PageNotification, Report, RoleAssignment, TimelineEvent

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=timezone.utc)

SYNC_LIKE = IncidentParts(
    Part(Incident.roles),
    Part(Incident.events, where=(TimelineEvent.channel_ts.is_(None),)),
    Part(Incident.pages, parts=(Part(Page.notifications),)),
    Part(Incident.deliveries, where=(Delivery.sent_at.is_(None),),
         parts=(Part(Delivery.event), Part(Delivery.action_item))),
)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def sessions(engine):
    return sessionmaker(engine, expire_on_commit=False)


@pytest.fixture
def incident_id(sessions) -> int:
    with sessions() as session, session.begin():
        incident = Incident(title="Checkout down", severity="sev2", status="investigating", declared_by="U1",
                            declared_at=T0, invited_users=[])
        posted = TimelineEvent(at=at(1), kind="declared", text="posted", channel_ts="1.1")
        late, early = (TimelineEvent(at=at(m), kind="update", text=f"at {m}") for m in (5, 2))
        incident.events = [posted, late, early]
        incident.roles = [RoleAssignment(role="commander", user_id=u, started_at=at(0)) for u in ("U2", "U1")]
        page = Page(reason="declared", state="paging", started_at=at(0), starts_at=at(0))
        page.notifications = [PageNotification(user_id=u, level=1, target="slack", created_at=at(0)) for u in ("U3", "U4")]
        incident.pages = [page, Page(reason="again", state="waiting", started_at=at(3), starts_at=at(3))]
        session.add(incident)
        session.flush()
        item = ActionItem(incident_id=incident.id, number=1, text="Add an alert", owner="U2", priority="P2",
                          created_by="U1", created_at=at(9))
        session.add(item)
        session.flush()
        incident.deliveries = [
            Delivery(user_id="U5", kind="update", created_at=at(6), event=posted),  # owed, about a posted event
            Delivery(user_id="U6", kind="update", created_at=at(6), event=late, sent_at=at(7)),  # sent: not loaded
            Delivery(user_id="U2", kind="action_due", created_at=at(9), action_item=item),
        ]
    return incident.id


def statements(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda *args: seen.append(args[2]) if args[2].startswith("SELECT") else None)
    return seen


def test_each_collection_holds_the_rows_its_part_narrows_to_in_order_readable_after_the_session(engine, sessions, incident_id):
    with sessions() as session:
        incident = session.get(Incident, incident_id)
        SYNC_LIKE.load(session, incident)

    assert [r.user_id for r in incident.roles] == ["U2", "U1"]  # by id, as the relationship orders them
    assert [e.text for e in incident.events] == ["at 2", "at 5"]  # unposted only, by time
    assert [[n.user_id for n in p.notifications] for p in incident.pages] == [["U3", "U4"], []]
    owed = incident.deliveries
    assert [d.user_id for d in owed] == ["U5", "U2"]  # the sent one is left out
    assert owed[0].event.text == "posted" and owed[0].action_item is None  # an event outside incident.events
    assert owed[1].event is None and owed[1].action_item.text == "Add an alert"


def test_one_statement_per_part_and_none_under_an_empty_collection(engine, sessions, incident_id):
    with sessions() as session, session.begin():
        session.query(Delivery).delete()
    seen = statements(engine)
    with sessions() as session:
        SYNC_LIKE.load(session, session.get(Incident, incident_id))
    # the incident; roles, events, pages, their notifications, deliveries (none: no event nor item read)
    assert len(seen) == 6, seen


def test_a_collection_already_loaded_is_kept_unless_the_load_refreshes(sessions, incident_id):
    with sessions() as session:
        incident = session.get(Incident, incident_id)
        SYNC_LIKE.load(session, incident)
        session.commit()  # SQLite: one writer at a time, and the other session writes
        with sessions() as other, other.begin():
            other.add(RoleAssignment(incident_id=incident_id, role="comms_lead", user_id="U9", started_at=at(8)))

        SYNC_LIKE.load(session, incident)
        assert [r.user_id for r in incident.roles] == ["U2", "U1"]
        SYNC_LIKE.load(session, incident, refresh=True)
        assert [r.user_id for r in incident.roles] == ["U2", "U1", "U9"]


def test_a_part_that_is_not_a_collection_of_an_incident_is_refused(sessions, incident_id):
    with sessions() as session, pytest.raises(ValueError, match="Page.notifications"):
        IncidentParts(Part(Page.notifications)).load(session, session.get(Incident, incident_id))


def test_a_row_of_its_own_is_loaded_as_one_or_none(sessions, incident_id):
    with sessions() as session, session.begin():
        session.add(Report(incident_id=incident_id, impact="EU card payments failed"))
        other = Incident(title="Quiet", severity="sev3", status="investigating", declared_by="U1", declared_at=T0,
                         invited_users=[])
        session.add(other)
    with_report = IncidentParts(Part(Incident.report))
    with sessions() as session:
        incident, quiet = session.get(Incident, incident_id), session.get(Incident, other.id)
        with_report.load(session, incident)
        with_report.load(session, quiet)
    assert incident.report.impact == "EU card payments failed" and quiet.report is None
