"""The on-call service against the real database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from bot.config import IncidentConfig
from bot.core.clock import ManualClock
from bot.core.db import make_session_factory
from bot.core.errors import UserError
from bot.paging.layers import Duty
from bot.paging.oncall import OnCallService
from bot.slack.blocks import error_text
from models.oncall import HandoffNotice, Override, TimeOff

ALICE, BOB, CAROL, DAVE, ERIN = "U01ALICE", "U02BOB", "U03CAROL", "U04DAVE", "U05ERIN"
UTC = timezone.utc
PRIMARY = {"rotation": "weekly", "handoff": "mon 09:00", "members": [ALICE, BOB, CAROL]}
SECONDARY = {"rotation": "daily", "handoff": "18:00", "members": [DAVE, ERIN]}
WEDNESDAY = datetime(2026, 11, 25, 10, tzinfo=UTC)  # 11:00 in Rome
MONDAY = datetime(2026, 11, 23, 8, tzinfo=UTC)  # 09:00 in Rome: Bob's week starts (week 151 since 2024-01-01)
NEXT_MONDAY = MONDAY + timedelta(days=7)


@pytest.fixture
def oncall_engine(engine):
    return engine


@pytest.fixture
def clock():
    return ManualClock(WEDNESDAY)


@pytest.fixture
def make_service(oncall_engine, clock):
    sessions = make_session_factory(oncall_engine)

    def make(schedules=None, timezone="Europe/Rome", **more) -> OnCallService:
        config = IncidentConfig.model_validate({
            "timezone": timezone,
            "schedules": {"primary": PRIMARY} if schedules is None else schedules,
            **more,
        })
        return OnCallService(sessions, config, clock)

    return make


@pytest.fixture
def service(make_service):
    return make_service()


def overrides(engine) -> list[Override]:
    with make_session_factory(engine)() as session:
        return list(session.scalars(select(Override).order_by(Override.id)))


# --- who is on call -------------------------------------------------------------------------------


def test_who_is_on_call_now_and_next(service):
    status = service.who()
    assert status.schedule == "primary"
    assert status.at == WEDNESDAY
    assert status.now == Duty(BOB, MONDAY, NEXT_MONDAY)
    assert status.next == Duty(CAROL, NEXT_MONDAY, NEXT_MONDAY + timedelta(days=7))
    assert status.overrides == []
    assert service.who("Primary") == status


def test_which_schedule(make_service):
    with pytest.raises(UserError) as error:
        make_service({}).who()
    assert error_text(error.value) == (
        "No on-call schedule is configured; add one under the key `schedules` in incidents.yaml, such as "
        '`schedules: {primary: {rotation: weekly, handoff: "mon 09:00", members: [U01ABCDEF, U02GHIJKL]}}`.')

    two = make_service({"primary": PRIMARY, "secondary": SECONDARY})
    with pytest.raises(UserError) as error:
        two.who()
    assert error_text(error.value) == "There are 2 on-call schedules: primary, secondary. Name one."
    assert error.value.command == "oncall"
    assert two.who("secondary").now.user in (DAVE, ERIN)

    assert [status.schedule for status in two.who_all()] == ["primary", "secondary"]

    with pytest.raises(UserError) as error:
        two.who("tertiary")
    assert error_text(error.value) == "Unknown schedule `tertiary`; the schedules are primary, secondary."
    assert error.value.command == "oncall"


def test_on_call_for_paging(service, clock):
    assert service.on_call("primary") == BOB
    assert service.on_call("primary", NEXT_MONDAY) == CAROL
    assert service.on_call("primary", NEXT_MONDAY - timedelta(microseconds=1)) == BOB
    service.add_override("primary", DAVE, ALICE, duration=timedelta(hours=2))
    assert service.on_call("primary") == DAVE
    assert service.on_call("primary", WEDNESDAY + timedelta(hours=2)) == BOB


# --- overrides ------------------------------------------------------------------------------------


def test_an_override_for_a_duration(service, oncall_engine, clock):
    taken = service.add_override(None, DAVE, ALICE, duration=timedelta(hours=4))
    row = taken.override
    assert (row.schedule, row.user_id, row.created_by) == ("primary", DAVE, ALICE)
    assert taken.replaced == [BOB], "Bob is told who took over his shift"
    assert (row.starts_at, row.ends_at, row.created_at) == (WEDNESDAY, WEDNESDAY + timedelta(hours=4), WEDNESDAY)
    [stored] = overrides(oncall_engine)
    assert (stored.starts_at, stored.ends_at) == (WEDNESDAY, WEDNESDAY + timedelta(hours=4))
    assert stored.starts_at.tzinfo is not None

    status = service.who()
    assert (status.now.user, status.now.start, status.now.end) == (DAVE, WEDNESDAY, WEDNESDAY + timedelta(hours=4))
    assert status.now.override.created_by == ALICE
    assert status.next == Duty(BOB, WEDNESDAY + timedelta(hours=4), NEXT_MONDAY)
    assert [(o.user, o.id) for o in status.overrides] == [(DAVE, row.id)]

    clock.advance(timedelta(hours=5))  # over: Bob again since it ended, and the override is no longer listed
    status = service.who()
    assert status.now == Duty(BOB, WEDNESDAY + timedelta(hours=4), NEXT_MONDAY)
    assert status.overrides == []


def test_an_override_until_a_moment(service, clock):
    friday_evening = datetime(2026, 11, 27, 17, tzinfo=UTC)  # fri 18:00 in Rome, as the grammar reads it
    service.add_override("primary", CAROL, CAROL, until=friday_evening)
    status = service.who()
    assert (status.now.user, status.now.start, status.now.end) == (CAROL, WEDNESDAY, friday_evening)
    assert status.next == Duty(BOB, friday_evening, NEXT_MONDAY)


def test_an_override_running_into_the_same_persons_shift_is_one_duty(service):
    taken = service.add_override("primary", CAROL, CAROL, until=NEXT_MONDAY + timedelta(days=1))
    assert taken.replaced == [BOB], "Carol's own shift next week replaces nobody"
    status = service.who()
    assert (status.now.user, status.now.start, status.now.end) == (CAROL, WEDNESDAY, NEXT_MONDAY + timedelta(days=7))
    assert status.next.user == ALICE


def test_the_latest_override_wins(service, clock):
    service.add_override("primary", DAVE, ALICE, duration=timedelta(hours=6))
    clock.advance(timedelta(hours=1))
    service.add_override("primary", ERIN, ALICE, duration=timedelta(hours=2))
    assert service.on_call("primary") == ERIN
    status = service.who()
    assert status.now.end == WEDNESDAY + timedelta(hours=3)
    assert status.next == Duty(DAVE, WEDNESDAY + timedelta(hours=3), WEDNESDAY + timedelta(hours=6),
                               status.overrides[0])
    assert [o.user for o in status.overrides] == [DAVE, ERIN]


def test_since_counts_an_override_that_ended_earlier(service, clock):
    clock.set(MONDAY + timedelta(days=1))
    service.add_override("primary", DAVE, ALICE, duration=timedelta(hours=3))
    clock.set(WEDNESDAY)
    assert service.who().now == Duty(BOB, MONDAY + timedelta(days=1, hours=3), NEXT_MONDAY)


@pytest.mark.parametrize("kwargs, message", [
    ({"until": datetime(2026, 11, 25, 7, tzinfo=UTC)},
     "That override would end Wed 25 Nov 08:00 CET, which is already past; give a later end, such as a duration "
     "(4h) or a later day and time (until tomorrow 09:00)."),
    ({"until": WEDNESDAY},
     "That override would end Wed 25 Nov 11:00 CET, which is already past; give a later end, such as a duration "
     "(4h) or a later day and time (until tomorrow 09:00)."),
    ({"duration": timedelta(days=8)},
     "An override lasts at most 7d (`overrides.max_duration` in incidents.yaml), so this one could end Wed 02 Dec "
     "11:00 CET at the latest, not Thu 03 Dec 11:00 CET. Give a shorter one, add another when it ends, or change "
     "the rotation under `schedules.primary`."),
    ({"until": datetime(2026, 12, 2, 10, 30, tzinfo=UTC)},
     "An override lasts at most 7d (`overrides.max_duration` in incidents.yaml), so this one could end Wed 02 Dec "
     "11:00 CET at the latest, not Wed 02 Dec 11:30 CET. Give a shorter one, add another when it ends, or change "
     "the rotation under `schedules.primary`."),
])
def test_override_mistakes(service, oncall_engine, kwargs, message):
    with pytest.raises(UserError) as error:
        service.add_override("primary", DAVE, ALICE, **kwargs)
    assert error_text(error.value) == message
    assert error.value.command == "override"
    assert overrides(oncall_engine) == []


def test_an_override_of_exactly_the_longest_is_fine_and_the_longest_is_configurable(service, make_service):
    row = service.add_override("primary", DAVE, ALICE, duration=timedelta(days=7)).override
    assert row.ends_at == WEDNESDAY + timedelta(days=7)
    with pytest.raises(UserError, match="at most 2h"):
        make_service(overrides={"max_duration": "2h"}).add_override("primary", ERIN, ALICE, duration=timedelta(hours=3))


def test_override_schedule_mistakes(make_service, oncall_engine):
    two = make_service({"primary": PRIMARY, "secondary": SECONDARY})
    with pytest.raises(UserError) as error:
        two.add_override(None, DAVE, ALICE, duration=timedelta(hours=1))
    assert error_text(error.value) == "There are 2 on-call schedules: primary, secondary. Name one."
    assert error.value.command == "override"
    with pytest.raises(UserError) as error:
        two.add_override("platform", DAVE, ALICE, duration=timedelta(hours=1))
    assert error_text(error.value) == "Unknown schedule `platform`; the schedules are primary, secondary."
    assert overrides(oncall_engine) == []
    assert two.add_override("secondary", DAVE, ALICE, duration=timedelta(hours=1)).override.schedule == "secondary"


# --- handoffs -------------------------------------------------------------------------------------


def test_a_regular_handoff_is_due_once_claimed_once(service, clock):
    clock.set(NEXT_MONDAY - timedelta(seconds=1))
    assert service.due_handoffs() == []
    clock.set(NEXT_MONDAY + timedelta(seconds=30))
    [(schedule, duty)] = service.due_handoffs()
    assert (schedule, duty) == ("primary", Duty(CAROL, NEXT_MONDAY, NEXT_MONDAY + timedelta(days=7)))
    assert service.claim_handoff(schedule, duty) is True
    assert service.due_handoffs() == []
    assert service.claim_handoff(schedule, duty) is False
    clock.advance(timedelta(hours=1))
    assert service.due_handoffs() == []


def test_override_starts_and_ends_are_handoffs(service, clock):
    row = service.add_override("primary", DAVE, ALICE, duration=timedelta(hours=2)).override
    [(_, duty)] = service.due_handoffs()
    assert (duty.user, duty.start, duty.override.id) == (DAVE, WEDNESDAY, row.id)
    assert service.claim_handoff("primary", duty)
    clock.advance(timedelta(hours=2, seconds=5))
    [(_, duty)] = service.due_handoffs()
    assert duty == Duty(BOB, WEDNESDAY + timedelta(hours=2), NEXT_MONDAY)
    assert service.claim_handoff("primary", duty)
    assert service.due_handoffs() == []


def test_a_handoff_unannounced_for_longer_than_the_catch_up_is_skipped(service, clock):
    clock.set(NEXT_MONDAY + timedelta(hours=5, minutes=59))
    assert [duty.user for _, duty in service.due_handoffs()] == [CAROL]
    clock.set(NEXT_MONDAY + timedelta(hours=6))
    assert service.due_handoffs() == []
    assert service.due_handoffs(catch_up=timedelta(days=1))[0][1].start == NEXT_MONDAY


def test_every_schedule_has_its_handoffs(make_service, clock):
    two = make_service({"primary": PRIMARY, "secondary": SECONDARY})
    clock.set(NEXT_MONDAY + timedelta(minutes=1))
    assert [name for name, _ in two.due_handoffs()] == ["primary"]
    clock.set(datetime(2026, 11, 30, 17, 0, 10, tzinfo=UTC))  # 18:00 in Rome: the daily one hands off
    [(name, duty)] = two.due_handoffs()  # primary's morning handoff is past the catch-up by now
    assert (name, duty.start) == ("secondary", datetime(2026, 11, 30, 17, tzinfo=UTC))


def test_a_one_person_schedule_has_no_handoff(make_service, clock):
    solo = make_service({"solo": {"rotation": "daily", "handoff": "09:00", "members": [ALICE]}})
    assert solo.who().now == Duty(ALICE, None, None)
    assert solo.who().next is None
    clock.set(datetime(2026, 11, 26, 8, 0, 5, tzinfo=UTC))
    assert solo.due_handoffs() == []


@pytest.mark.parametrize("insert", ["on conflict do nothing", "plain insert"])
def test_two_workers_racing_for_a_handoff_claim_it_once(service, oncall_engine, monkeypatch, insert):
    if insert == "plain insert":  # the path for a database without INSERT … RETURNING: the unique key refuses
        monkeypatch.setattr(oncall_engine.dialect, "insert_returning", False)
    rounds, workers = 8, 4
    wins = []
    for number in range(rounds):
        duty = Duty(CAROL, NEXT_MONDAY + timedelta(minutes=number), None)
        barrier = threading.Barrier(workers)
        results = []

        def claim(duty=duty, barrier=barrier, results=results):
            barrier.wait()
            results.append(service.claim_handoff("primary", duty))

        threads = [threading.Thread(target=claim) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        wins.append(sorted(results))
    assert wins == [[False] * (workers - 1) + [True]] * rounds
    with oncall_engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(HandoffNotice)) == rounds


def test_a_claim_is_recorded_with_who_and_when(service, oncall_engine, clock):
    assert service.claim_handoff("primary", Duty(CAROL, NEXT_MONDAY, None))
    with make_session_factory(oncall_engine)() as session:
        [notice] = session.scalars(select(HandoffNotice)).all()
    assert (notice.schedule, notice.shift_start, notice.user_id, notice.notified_at) == (
        "primary", NEXT_MONDAY, CAROL, WEDNESDAY)


# --- layered schedules ----------------------------------------------------------------------------

FOLLOW_THE_SUN = {"layers": [
    {"name": "europe", "zone": "Europe/Rome", "rotation": "daily", "handoff": "09:00", "members": [ALICE, BOB],
     "hours": {"days": "mon-fri", "start": "09:00", "end": "18:00"}},
    {"name": "nights", "rotation": "weekly", "handoff": "mon 18:00", "members": [CAROL],
     "hours": {"days": "mon-thu", "start": "18:00", "end": "09:00"}},
]}


def test_a_layered_schedule_says_now_and_next_per_layer(make_service):
    service = make_service({"sun": FOLLOW_THE_SUN})
    status = service.who("sun")  # Wednesday 11:00 in Rome: Europe's hours
    assert status.now.user in (ALICE, BOB)
    assert status.now.end == datetime(2026, 11, 25, 17, tzinfo=UTC)  # 18:00 in Rome: the nights take over
    assert status.next.user == CAROL
    assert [(layer.name, layer.now.user) for layer in status.layers] == [("europe", status.now.user), ("nights", None)]
    assert status.layers[1].next.user == CAROL


def test_in_a_gap_nobody_is_on_call_and_no_handoff_is_announced(make_service, clock):
    service = make_service({"sun": FOLLOW_THE_SUN})
    friday_night = datetime(2026, 11, 27, 20, tzinfo=UTC)  # Friday 21:00 in Rome: nights are mon-thu only
    clock.set(friday_night)
    assert service.on_call("sun") is None
    status = service.who("sun")
    assert status.now == Duty(None, datetime(2026, 11, 27, 17, tzinfo=UTC), datetime(2026, 11, 30, 8, tzinfo=UTC))
    assert service.due_handoffs(friday_night) == []
    service.add_override("sun", DAVE, ALICE, duration=timedelta(hours=2))
    assert service.on_call("sun") == DAVE


def test_the_kept_rota_follows_changes_made_by_another_process(make_service, oncall_engine, clock):
    pager, other = make_service(), make_service()  # two processes: the same rows, each its own kept rotas
    long_ago = WEDNESDAY - timedelta(days=70)  # before what a rota built now reads (a cycle and 31 days)
    with make_session_factory(oncall_engine).begin() as session:
        session.add(Override(schedule="primary", user_id=ERIN, starts_at=long_ago, ends_at=long_ago + timedelta(hours=1),
                             created_by=ERIN, created_at=long_ago))
    assert pager.on_call("primary") == BOB
    other.add_override("primary", DAVE, ALICE, duration=timedelta(hours=2))
    assert pager.on_call("primary") == DAVE, "an override added elsewhere is seen at once"
    assert pager.on_call("primary", WEDNESDAY + timedelta(hours=3)) == BOB
    with make_session_factory(oncall_engine).begin() as session:
        session.add(TimeOff(user_id=BOB, starts_at=WEDNESDAY, ends_at=WEDNESDAY + timedelta(days=1),
                            created_at=WEDNESDAY))
    assert pager.on_call("primary", WEDNESDAY + timedelta(hours=3)) == CAROL, "time off added elsewhere is seen"
    with make_session_factory(oncall_engine).begin() as session:
        session.execute(update(TimeOff).values(cancelled_at=WEDNESDAY))
    assert pager.on_call("primary", WEDNESDAY + timedelta(hours=3)) == BOB, "and its cancelling too"
    assert pager.on_call("primary", long_ago) == ERIN, "an instant before the kept rota's rows is built anew"
