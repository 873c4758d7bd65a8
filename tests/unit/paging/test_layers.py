"""The layered engine (bot.paging.layers): layers and their hours, overrides, time off, gaps,
shifts over a range and who is on call, across daylight-saving changes in each layer's zone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import HoursConfig, LayerConfig, RotationConfig, ScheduleConfig
from bot.core.calendar import to_utc
from bot.paging import layers
from bot.paging.layers import Away, Duty, OverrideSpan, build_rota
from bot.paging.rotation import shift_at, shifts_between
from tests.unit.paging.strategies import MEMBERS, instants, layer_lists, schedules, zones

ALICE, BOB, CAROL, DAVE, ERIN, FRANK = "U01ALICE", "U02BOB", "U03CAROL", "U04DAVE", "U05ERIN", "U06FRANK"
UTC = timezone.utc
ROME = ZoneInfo("Europe/Rome")
NEW_YORK = ZoneInfo("America/New_York")
UTC_ZONE = ZoneInfo("UTC")
TICK = timedelta(microseconds=1)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(tz: ZoneInfo, *args) -> datetime:
    return to_utc(datetime(*args), tz)


def schedule(rotation="weekly", handoff="mon 09:00", members=(ALICE, BOB, CAROL)) -> RotationConfig:
    return RotationConfig(rotation=rotation, handoff=handoff, members=list(members))


def rota(sched: RotationConfig, tz: ZoneInfo, overrides=(), away=()) -> layers.Rota:
    """A one-rotation schedule, as ``schedules.<name>: {rotation, handoff, members}`` writes it."""
    one = ScheduleConfig(rotation=sched.rotation, handoff=sched.handoff, members=sched.members)
    return build_rota("primary", one, tz, overrides, away)


def on_call(sched, tz, overrides, at) -> Duty:
    return layers.on_call(rota(sched, tz, overrides), at)


def next_duty(sched, tz, overrides, at) -> Duty | None:
    return layers.next_duty(rota(sched, tz, overrides), at)


# --- overrides -----------------------------------------------------------------------------------

WEEKLY = schedule(rotation="weekly", handoff="mon 09:00", members=(ALICE, BOB, CAROL))
WEEK = utc(2026, 11, 23, 9)  # a Monday 09:00 UTC: a handoff of WEEKLY in UTC
CREATED = utc(2026, 11, 1)


def span(user, start, end, created=CREATED):
    return OverrideSpan(user=user, start=start, end=end, created=created)


def test_weekly_in_utc_hands_over_on_mondays():
    shift = shift_at(WEEKLY, UTC_ZONE, WEEK + timedelta(days=1))
    assert (shift.start, shift.end, shift.user) == (WEEK, WEEK + timedelta(days=7), BOB)


def test_inside_an_override_its_user_is_on_call_for_its_span():
    cover = span(DAVE, WEEK + timedelta(days=1, hours=1), WEEK + timedelta(days=1, hours=5))
    assert on_call(WEEKLY, UTC_ZONE, [cover], WEEK + timedelta(days=1, hours=3)) == Duty(
        DAVE, cover.start, cover.end, cover)
    after = on_call(WEEKLY, UTC_ZONE, [cover], WEEK + timedelta(days=1, hours=6))
    assert after == Duty(BOB, cover.end, WEEK + timedelta(days=7), None)
    before = on_call(WEEKLY, UTC_ZONE, [cover], WEEK + timedelta(hours=1))
    assert before == Duty(BOB, WEEK, cover.start, None)


def test_where_overrides_overlap_the_latest_created_wins():
    dave = span(DAVE, WEEK + timedelta(hours=1), WEEK + timedelta(hours=5), created=CREATED)
    erin = span(ERIN, WEEK + timedelta(hours=3), WEEK + timedelta(hours=7), created=CREATED + timedelta(minutes=1))
    for order in ([dave, erin], [erin, dave]):
        assert on_call(WEEKLY, UTC_ZONE, order, WEEK + timedelta(hours=2)) == Duty(DAVE, dave.start, erin.start, dave)
        assert on_call(WEEKLY, UTC_ZONE, order, WEEK + timedelta(hours=4)) == Duty(ERIN, erin.start, erin.end, erin)
    # created earlier, it only shows where the later one does not cover
    dave_late = span(DAVE, dave.start, dave.end, created=CREATED + timedelta(minutes=2))
    assert on_call(WEEKLY, UTC_ZONE, [dave_late, erin], WEEK + timedelta(hours=4)) == Duty(
        DAVE, dave.start, dave.end, dave_late)
    assert on_call(WEEKLY, UTC_ZONE, [dave_late, erin], WEEK + timedelta(hours=6)) == Duty(
        ERIN, dave.end, erin.end, erin)


def test_equal_creation_times_the_later_in_the_list_wins():
    first = span(DAVE, WEEK, WEEK + timedelta(hours=2))
    second = span(ERIN, WEEK, WEEK + timedelta(hours=2))
    assert on_call(WEEKLY, UTC_ZONE, [first, second], WEEK + timedelta(hours=1)).user == ERIN


def test_an_override_across_a_regular_handoff():
    cover = span(DAVE, WEEK - timedelta(hours=13), WEEK + timedelta(hours=3))  # Sunday 20:00 to Monday 12:00
    duty = on_call(WEEKLY, UTC_ZONE, [cover], WEEK + timedelta(hours=1))
    assert duty == Duty(DAVE, cover.start, cover.end, cover)
    assert next_duty(WEEKLY, UTC_ZONE, [cover], WEEK + timedelta(hours=1)) == Duty(BOB, cover.end, WEEK + timedelta(days=7))


def test_no_handoff_where_the_same_person_goes_on():
    own = span(BOB, WEEK + timedelta(hours=1), WEEK + timedelta(hours=5))  # Bob covers part of his own week
    duty = on_call(WEEKLY, UTC_ZONE, [own], WEEK + timedelta(hours=2))
    assert (duty.user, duty.start, duty.end, duty.override) == (BOB, WEEK, WEEK + timedelta(days=7), own)
    carol_early = span(CAROL, WEEK + timedelta(days=6), WEEK + timedelta(days=7))  # Carol starts a day early
    duty = on_call(WEEKLY, UTC_ZONE, [carol_early], WEEK + timedelta(days=6, hours=1))
    assert (duty.user, duty.start, duty.end) == (CAROL, carol_early.start, WEEK + timedelta(days=14))


def test_next_change_and_the_shifts_of_a_week_with_overrides():
    dave = span(DAVE, WEEK + timedelta(days=2), WEEK + timedelta(days=2, hours=8))
    own = span(BOB, WEEK + timedelta(days=3), WEEK + timedelta(days=4))
    found = layers.shifts(rota(WEEKLY, UTC_ZONE, [dave, own]), WEEK, WEEK + timedelta(days=8))
    assert [(s.user, s.start, s.end, s.layer) for s in found] == [
        (BOB, WEEK, dave.start, "rotation"), (DAVE, dave.start, dave.end, None),
        (BOB, dave.end, own.start, "rotation"), (BOB, own.start, own.end, None),
        (BOB, own.end, WEEK + timedelta(days=7), "rotation"),
        (CAROL, WEEK + timedelta(days=7), WEEK + timedelta(days=8), "rotation"),
    ]
    assert next_duty(WEEKLY, UTC_ZONE, [dave, own], WEEK) == Duty(DAVE, dave.start, dave.end, dave)


def test_a_one_person_rotation_never_hands_off_except_to_an_override():
    solo = schedule(rotation="daily", handoff="09:00", members=(ALICE,))
    at = utc(2026, 6, 1, 12)
    assert on_call(solo, ROME, [], at) == Duty(ALICE, None, None)
    assert next_duty(solo, ROME, [], at) is None
    cover = span(BOB, at + timedelta(hours=2), at + timedelta(hours=4))
    assert on_call(solo, ROME, [cover], at) == Duty(ALICE, None, cover.start)
    assert on_call(solo, ROME, [cover], at + timedelta(hours=5)) == Duty(ALICE, cover.end, None)
    assert [(s.user, s.start, s.end) for s in layers.shifts(rota(solo, ROME, [cover]), at, at + timedelta(days=3))] == [
        (ALICE, at, cover.start), (BOB, cover.start, cover.end), (ALICE, cover.end, at + timedelta(days=3))]


def test_overrides_may_be_given_in_any_zone_and_come_back_in_utc():
    cover = OverrideSpan(DAVE, datetime(2026, 11, 24, 11, tzinfo=ROME), datetime(2026, 11, 24, 15, tzinfo=ROME),
                         CREATED.astimezone(ROME))
    duty = on_call(WEEKLY, UTC_ZONE, [cover], utc(2026, 11, 24, 12))
    assert (duty.start, duty.end) == (utc(2026, 11, 24, 10), utc(2026, 11, 24, 14))
    assert duty.start.tzinfo is UTC


def _brute(sched, tz, overrides, at):
    winner = None
    for cover in sorted(overrides, key=lambda o: o.created):
        if cover.start <= at < cover.end:
            winner = cover
    return winner.user if winner else shift_at(sched, tz, at).user


@st.composite
def with_overrides(draw):
    sched = draw(schedules.filter(lambda s: s.period >= timedelta(hours=1)))
    at = draw(instants)
    covers = draw(st.lists(st.builds(
        lambda user, offset, length, created: OverrideSpan(
            user, at + timedelta(minutes=offset), at + timedelta(minutes=offset + length),
            CREATED + timedelta(minutes=created)),
        st.sampled_from(MEMBERS + [ERIN]), st.integers(-48 * 60, 48 * 60), st.integers(1, 24 * 60),
        st.integers(0, 5),
    ), max_size=4))
    return sched, draw(zones), covers, at


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_overrides())
def test_on_call_agrees_with_brute_force_and_ends_where_the_person_changes(case):
    sched, tz, covers, at = case
    duty = on_call(sched, tz, covers, at)
    assert duty.user == _brute(sched, tz, covers, at)
    if duty.start is None or duty.end is None:
        assert set(sched.members) == {duty.user}
    if duty.start is not None:
        assert duty.start <= at
        assert _brute(sched, tz, covers, duty.start) == duty.user
        assert _brute(sched, tz, covers, duty.start - TICK) != duty.user
    if duty.end is not None:
        assert duty.end > at
        assert _brute(sched, tz, covers, duty.end) != duty.user
        assert _brute(sched, tz, covers, duty.end - TICK) == duty.user
    if duty.start is not None and duty.end is not None:  # no change inside: check every boundary in it
        points = {s.start for s in shifts_between(sched, tz, duty.start, duty.end)} | {
            p for c in covers for p in (c.start, c.end)}
        assert all(_brute(sched, tz, covers, p) == duty.user for p in points if duty.start <= p < duty.end)
        following = next_duty(sched, tz, covers, at)
        assert following is not None and following.start == duty.end and following.user != duty.user




# --- layers and hours -----------------------------------------------------------------------------

EUROPE, AMERICAS, NIGHTS = (ALICE, BOB), (CAROL, DAVE), (ERIN, FRANK)


def layered(*specs, default=ROME, overrides=(), away=()) -> layers.Rota:
    return build_rota("follow-the-sun", ScheduleConfig(layers=list(specs)), default, overrides, away)


def layer(name, members, rotation="daily", handoff="09:00", zone=None, hours=None) -> LayerConfig:
    return LayerConfig(name=name, members=list(members), rotation=rotation, handoff=handoff, zone=zone,
                       hours=None if hours is None else HoursConfig(**hours))


DAYS = {"days": "mon-fri", "start": "09:00", "end": "18:00"}
FOLLOW_THE_SUN = (
    layer("europe", EUROPE, zone="Europe/Rome", hours=DAYS),
    layer("americas", AMERICAS, rotation="weekly", handoff="mon 09:00", zone="America/New_York", hours=DAYS),
    layer("nights", NIGHTS, rotation="weekly", handoff="mon 18:00", hours={"days": "mon-sun", "start": "18:00",
                                                                         "end": "09:00"}),
)
MONDAY = local(ROME, 2026, 11, 23, 0)  # Monday 23 November 2026, midnight in Rome


def test_follow_the_sun_the_later_layer_wins_where_it_covers():
    sun = layered(*FOLLOW_THE_SUN)
    at = lambda h, m=0, day=0: MONDAY + timedelta(days=day, hours=h, minutes=m)  # noqa: E731 local Rome hours
    assert layers.covering_layer(sun, at(10)) == "europe"
    assert layers.covering_layer(sun, at(15, 30)) == "americas"  # 09:30 in New York: americas is later
    assert layers.covering_layer(sun, at(19)) == "nights"  # americas covers until 24:00 Rome; nights is later still
    assert layers.covering_layer(sun, at(3, day=1)) == "nights"  # crossing midnight
    assert layers.who_at(sun, at(10)) in EUROPE and layers.who_at(sun, at(19)) in NIGHTS


def test_a_time_no_layer_covers_is_a_gap():
    sun = layered(*FOLLOW_THE_SUN)
    saturday = MONDAY + timedelta(days=5)
    assert layers.who_at(sun, saturday + timedelta(hours=12)) is None
    assert layers.gaps(sun, saturday, saturday + timedelta(days=2)) == [
        (local(ROME, 2026, 11, 28, 9), local(ROME, 2026, 11, 28, 18)),
        (local(ROME, 2026, 11, 29, 9), local(ROME, 2026, 11, 29, 18)),
    ]
    duty = layers.on_call(sun, saturday + timedelta(hours=12))
    assert duty == Duty(None, local(ROME, 2026, 11, 28, 9), local(ROME, 2026, 11, 28, 18))


def test_shifts_name_their_layer_and_tile_the_week_with_the_gaps():
    sun = layered(*FOLLOW_THE_SUN)
    week = layers.shifts(sun, MONDAY, MONDAY + timedelta(days=7))
    monday = [(s.layer, s.start.astimezone(ROME).strftime("%a %H:%M"), s.end.astimezone(ROME).strftime("%a %H:%M"))
              for s in week[:4]]
    assert monday == [("nights", "Mon 00:00", "Mon 09:00"), ("europe", "Mon 09:00", "Mon 15:00"),
                      ("americas", "Mon 15:00", "Mon 18:00"), ("nights", "Mon 18:00", "Tue 09:00")]
    pieces = sorted([(s.start, s.end) for s in week] + layers.gaps(sun, MONDAY, MONDAY + timedelta(days=7)))
    assert pieces[0][0] == MONDAY and pieces[-1][1] == MONDAY + timedelta(days=7)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:], strict=False))


def test_the_hours_are_read_in_the_layers_own_zone_across_its_daylight_saving_change():
    americas = layered(layer("americas", AMERICAS, rotation="weekly", handoff="mon 09:00", zone="America/New_York",
                             hours=DAYS))
    # New York changes on 8 March 2026, Rome on 29 March: in between, 09:00 New York is 13:00 UTC, not 14:00
    before = layers.shifts(americas, utc(2026, 3, 6), utc(2026, 3, 7))
    after = layers.shifts(americas, utc(2026, 3, 9), utc(2026, 3, 10))
    assert [(s.start, s.end) for s in before] == [(utc(2026, 3, 6, 14), utc(2026, 3, 6, 23))]
    assert [(s.start, s.end) for s in after] == [(utc(2026, 3, 9, 13), utc(2026, 3, 9, 22))]


def test_hours_crossing_midnight_belong_to_the_day_they_start():
    fridays = layered(layer("weekend-nights", (ALICE,), hours={"days": "fri", "start": "18:00", "end": "09:00"}))
    friday = local(ROME, 2026, 11, 27, 0)
    assert layers.who_at(fridays, friday + timedelta(hours=20)) == ALICE
    assert layers.who_at(fridays, friday + timedelta(days=1, hours=8, minutes=59)) == ALICE  # Saturday 08:59
    assert layers.who_at(fridays, friday + timedelta(days=1, hours=9)) is None
    assert layers.who_at(fridays, friday + timedelta(hours=8)) is None  # Friday morning: Thursday's night is not in days


def test_overlapping_layers_with_identical_hours_the_later_wins_everywhere():
    same = layered(layer("first", (ALICE,), hours=DAYS), layer("second", (BOB,), hours=DAYS))
    week = layers.shifts(same, MONDAY, MONDAY + timedelta(days=7))
    assert {s.user for s in week} == {BOB} and {s.layer for s in week} == {"second"}
    assert len(week) == 5  # one stretch a weekday, the nights and the weekend are gaps


def test_a_layer_of_one_member_is_on_call_for_its_hours_only():
    solo = layered(layer("base", (ALICE, BOB)), layer("days", (CAROL,), hours=DAYS))
    assert layers.who_at(solo, MONDAY + timedelta(hours=10)) == CAROL
    assert layers.who_at(solo, MONDAY + timedelta(hours=20)) in (ALICE, BOB)
    duty = layers.on_call(solo, MONDAY + timedelta(hours=10))
    assert (duty.start, duty.end) == (MONDAY + timedelta(hours=9), MONDAY + timedelta(hours=18))


def test_an_override_beats_every_layer_and_fills_a_gap():
    saturday_noon = MONDAY + timedelta(days=5, hours=12)
    cover = span(DAVE, saturday_noon - timedelta(hours=1), saturday_noon + timedelta(hours=1))
    sun = layered(*FOLLOW_THE_SUN, overrides=[cover])
    assert layers.who_at(sun, saturday_noon) == DAVE
    assert layers.on_call(sun, saturday_noon) == Duty(DAVE, cover.start, cover.end, cover)
    assert layers.on_call(sun, cover.end) == Duty(None, cover.end, local(ROME, 2026, 11, 28, 18))


# --- time off ---------------------------------------------------------------------------------------


def test_time_off_hands_the_shift_to_the_next_member_who_is_not_away():
    daily = layered(layer("base", (ALICE, BOB, CAROL)))
    today = layers.who_at(daily, MONDAY + timedelta(hours=12))
    members = [ALICE, BOB, CAROL]
    following = members[(members.index(today) + 1) % 3]
    off = Away(today, MONDAY, MONDAY + timedelta(days=1))
    away = layered(layer("base", (ALICE, BOB, CAROL)), away=[off])
    assert layers.who_at(away, MONDAY + timedelta(hours=12)) == following
    shift = layers.shifts(away, MONDAY + timedelta(hours=12), MONDAY + timedelta(hours=13))[0]
    assert (shift.user, shift.covering) == (following, today)
    also = Away(following, MONDAY, MONDAY + timedelta(days=1))
    both = layered(layer("base", (ALICE, BOB, CAROL)), away=[off, also])
    assert layers.who_at(both, MONDAY + timedelta(hours=12)) not in (today, following)


def test_time_off_of_every_member_for_a_whole_rotation_is_a_gap_not_a_loop():
    members = (ALICE, BOB, CAROL)
    everyone = [Away(user, MONDAY, MONDAY + timedelta(days=21)) for user in members]
    weekly = layered(layer("base", members, rotation="weekly", handoff="mon 00:00"), away=everyone)
    assert layers.who_at(weekly, MONDAY + timedelta(days=3)) is None
    assert layers.gaps(weekly, MONDAY - timedelta(days=1), MONDAY + timedelta(days=22)) == [
        (MONDAY, MONDAY + timedelta(days=21))]
    assert layers.on_call(weekly, MONDAY + timedelta(days=3)) == Duty(None, MONDAY, MONDAY + timedelta(days=21))


def test_a_layer_whose_members_are_all_away_falls_through_to_the_layer_before():
    base_and_days = layered(layer("base", (ALICE,)), layer("days", (BOB,), hours=DAYS),
                            away=[Away(BOB, MONDAY, MONDAY + timedelta(days=1))])
    assert layers.who_at(base_and_days, MONDAY + timedelta(hours=10)) == ALICE
    assert layers.covering_layer(base_and_days, MONDAY + timedelta(hours=10)) == "base"


def test_one_layer_alone_keeps_its_time_off_and_drops_the_overrides():
    cover = span(DAVE, MONDAY, MONDAY + timedelta(days=1))
    sun = layered(*FOLLOW_THE_SUN, overrides=[cover])
    europe = layers.only_layer(sun, "europe")
    assert [s.layer for s in layers.shifts(europe, MONDAY, MONDAY + timedelta(days=1))] == ["europe"]
    assert layers.who_at(europe, MONDAY + timedelta(hours=20)) is None


# --- properties of layered schedules --------------------------------------------------------------


def _brute_layers(specs, default, overrides, away, at):
    """The rule of the module docstring, written out the long way."""
    winner = None
    for cover in sorted(overrides, key=lambda o: o.created):
        if cover.start <= at < cover.end:
            winner = cover
    if winner:
        return winner.user
    off = lambda user: any(a.user == user and a.start <= at < a.end for a in away)  # noqa: E731
    for spec in reversed(specs):
        tz = ZoneInfo(spec.zone) if spec.zone else default
        if spec.hours is not None:
            inside = False
            for back in range(3):
                day = at.astimezone(tz).date() - timedelta(days=back)
                if day.weekday() not in spec.hours.days:
                    continue
                opens = to_utc(datetime.combine(day, spec.hours.start), tz)
                closes_on = day if spec.hours.end > spec.hours.start else day + timedelta(days=1)
                inside |= opens <= at < to_utc(datetime.combine(closes_on, spec.hours.end), tz)
            if not inside:
                continue
        shift = shift_at(spec, tz, at)
        for step in range(len(spec.members)):
            user = spec.members[(shift.number + step) % len(spec.members)]
            if not off(user):
                return user
    return None


@st.composite
def layered_cases(draw):
    specs = draw(layer_lists())
    at = draw(instants)
    around = lambda: st.integers(-72 * 60, 72 * 60).map(lambda m: at + timedelta(minutes=m))  # noqa: E731
    covers = draw(st.lists(st.builds(
        lambda user, start, length, created: OverrideSpan(user, start, start + timedelta(minutes=length),
                                                          CREATED + timedelta(minutes=created)),
        st.sampled_from(MEMBERS + [ERIN]), around(), st.integers(1, 24 * 60), st.integers(0, 5)), max_size=3))
    away = draw(st.lists(st.builds(
        lambda user, start, length: Away(user, start, start + timedelta(minutes=length)),
        st.sampled_from(MEMBERS), around(), st.integers(1, 72 * 60)), max_size=3))
    return specs, draw(zones), covers, away, at


LAYERED = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@LAYERED
@given(layered_cases())
def test_who_at_agrees_with_the_rule_written_out(case):
    specs, default, covers, away, at = case
    sun = build_rota("s", ScheduleConfig(layers=specs), default, covers, away)
    for moment in (at, at + timedelta(hours=7, minutes=13), at - timedelta(hours=30)):
        assert layers.who_at(sun, moment) == _brute_layers(specs, default, covers, away, moment)


@LAYERED
@given(layered_cases(), st.integers(1, 96))
def test_shifts_and_gaps_tile_the_range_and_agree_with_who_at(case, length_hours):
    specs, default, covers, away, start = case
    sun = build_rota("s", ScheduleConfig(layers=specs), default, covers, away)
    end = start + timedelta(hours=length_hours)
    found = layers.shifts(sun, start, end)
    pieces = sorted([(s.start, s.end, s.user) for s in found] + [(a, b, None) for a, b in layers.gaps(sun, start, end)])
    assert pieces[0][0] == start and pieces[-1][1] == end
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:], strict=False))
    for a, b, user in pieces:
        assert a < b
        for moment in (a, b - TICK, a + (b - a) / 2):
            assert _brute_layers(specs, default, covers, away, moment) == user
    assert all(s.start.tzinfo is UTC and s.end.tzinfo is UTC for s in found)


@LAYERED
@given(layered_cases())
def test_a_duty_starts_and_ends_where_the_person_changes(case):
    specs, default, covers, away, at = case
    sun = build_rota("s", ScheduleConfig(layers=specs), default, covers, away)
    duty = layers.on_call(sun, at)
    brute = lambda moment: _brute_layers(specs, default, covers, away, moment)  # noqa: E731
    assert duty.user == brute(at)
    if duty.start is not None:
        assert duty.start <= at and brute(duty.start) == duty.user and brute(duty.start - TICK) != duty.user
    if duty.end is not None:
        assert duty.end > at and brute(duty.end) != duty.user and brute(duty.end - TICK) == duty.user
        assert all(s.user == duty.user for s in layers.shifts(sun, duty.start or at, duty.end))


def _far_from_a_clock_change(tz: ZoneInfo, at: datetime) -> bool:
    return (at - timedelta(hours=26)).astimezone(tz).utcoffset() == (at + timedelta(hours=26)).astimezone(tz).utcoffset()


@LAYERED
@given(layer_lists(max_layers=1), instants)
def test_away_from_clock_changes_hours_are_plain_wall_clock_times_in_the_zone(specs, at):
    spec = specs[0]
    tz = ZoneInfo(spec.zone)
    if spec.hours is None or not _far_from_a_clock_change(tz, at):
        return
    wall = at.astimezone(tz)
    today, yesterday = wall.weekday(), (wall.weekday() - 1) % 7
    clock, hours = wall.time().replace(tzinfo=None), spec.hours
    if hours.start < hours.end:
        expected = today in hours.days and hours.start <= clock < hours.end
    else:
        expected = (today in hours.days and clock >= hours.start) or (yesterday in hours.days and clock < hours.end)
    one = build_rota("s", ScheduleConfig(layers=specs), UTC_ZONE)
    assert layers.covers(one.layers[0], at) is expected


def test_who_at_costs_the_same_in_2026_and_2126():
    """Constant time: a shift number is arithmetic, never a walk from the epoch."""
    import time as clock

    sun = layered(*FOLLOW_THE_SUN)

    def cost(at):
        began = clock.perf_counter()
        for _ in range(200):
            layers.who_at(sun, at)
        return clock.perf_counter() - began

    near, far = min(cost(MONDAY) for _ in range(3)), min(cost(MONDAY + timedelta(days=36500)) for _ in range(3))
    assert far < near * 3
