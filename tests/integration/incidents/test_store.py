"""One write path: whatever changes an incident's rows counts as a change of the incident, once per
transaction, and is handed to the Slack side after the commit; what the Slack side writes back is not."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import update

from bot.core.db import make_session_factory
from bot.core.store import changing, watch_incidents
from models import Delivery, Incident, Page, PageNotification, PageState, Subscription

NOW = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)


@pytest.fixture
def watched(engine):
    sessions = make_session_factory(engine)
    told: list[int] = []
    watch_incidents(sessions, told.append)
    with sessions() as session, session.begin():
        session.add(Incident(title="Checkout is down", severity="sev1", declared_by="U01ALICE", declared_at=NOW,
                             invited_users=[]))
    return sessions, told


def revision(sessions) -> int:
    with sessions() as session:
        return session.get(Incident, 1).revision


def test_a_new_incident_is_told_without_a_bump(watched):
    sessions, told = watched
    assert (told, revision(sessions)) == ([1], 1)


@pytest.mark.parametrize("change", [
    lambda incident: incident.log(NOW, "U01ALICE", "note", "rolled back"),
    lambda incident: setattr(incident, "severity", "sev2"),
    lambda incident: incident.subscriptions.append(Subscription(user_id="U02BOB", created_at=NOW)),
    lambda incident: incident.deliveries.append(Delivery(user_id="U02BOB", kind="update", created_at=NOW)),
    lambda incident: incident.pages.append(Page(policy="default", reason="r", state=PageState.PAGING, started_at=NOW,
                                                starts_at=NOW)),
])
def test_any_change_of_an_incidents_rows_is_one_bump_and_one_word_after_commit(watched, change):
    sessions, told = watched
    told.clear()
    with changing(sessions, 1) as incident:
        change(incident)
        incident.log(NOW, None, "note", "a second change in the same transaction")
        assert told == [], "nobody hears of a change before it is committed"
    assert (told, revision(sessions)) == ([1], 2)


def test_a_change_rolled_back_is_not_told(watched):
    sessions, told = watched
    told.clear()
    with pytest.raises(RuntimeError), changing(sessions, 1) as incident:
        incident.log(NOW, None, "note", "never happened")
        raise RuntimeError
    assert (told, revision(sessions)) == ([], 1)


def test_a_page_outcome_counts_even_when_only_the_notification_is_loaded(watched):
    sessions, told = watched
    with changing(sessions, 1) as incident:
        incident.pages.append(Page(policy="default", reason="r", state=PageState.PAGING, started_at=NOW, starts_at=NOW))
    with sessions() as session, session.begin():
        session.add(PageNotification(page_id=1, user_id="U01ALICE", level=0, target="t", created_at=NOW))
    told.clear()
    with sessions() as session, session.begin():
        session.get(PageNotification, 1).sent_at = NOW
    assert (told, revision(sessions)) == ([1], 4)


def test_what_the_slack_side_writes_back_is_no_change(watched):
    sessions, told = watched
    told.clear()
    with sessions() as session, session.begin():
        session.execute(update(Incident).where(Incident.id == 1).values(summary_ts="1.2", channel_id="C1"))
    with sessions() as session, session.begin():
        session.get(Incident, 1).sync_error = "could not post: HTTP 500"
    assert (told, revision(sessions)) == ([], 1)
