"""Every retro figure against values worked out by hand from the fixed history (see history.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from bot.config import IncidentConfig
from bot.retro import figures
from bot.retro.periods import Bucket, days, rolling, weeks
from tests.integration.retro.history import ALICE, BOB, CAROL, CONFIG, NOW, at, build

CONF = IncidentConfig.model_validate(CONFIG)
TZ = CONF.tz
W43, W44, W45 = "2026-W43", "2026-W44", "2026-W45"


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        build(session)
        session.commit()
        yield session


def interpolated(values: list[float], percent: int) -> float:
    """percentile_cont, by hand."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * percent / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def test_weeks_are_local_iso_weeks_across_the_dst_change():
    found = weeks(at(10, 20, 0), NOW, TZ)
    assert [w.label for w in found] == [W43, W44, W45]
    assert found[0].start == at(10, 18, 22)  # Monday 19 Oct 00:00 CEST
    assert found[1].start == at(10, 25, 23)  # Monday 26 Oct 00:00 CET: week 43 lasted 169 hours
    assert found[0].end - found[0].start == timedelta(hours=169)


def test_weekly_counts_and_timings(session):
    found = figures.incident_figures(session, weeks(at(10, 20, 0), NOW, TZ))
    # INC-1 at 23:30 CET on Sunday is week 43; INC-2 at 23:30 UTC on the same Sunday is week 44 in Rome.
    w43, w44, w45 = (found[w][figures.ALL] for w in (W43, W44, W45))
    assert (w43.declared, w43.escalated, w43.transient) == (1, 0, 0)
    assert (w44.declared, w44.escalated, w44.transient) == (3, 1, 1)  # INC-2,3,4; INC-2 escalated; INC-5 transient
    assert (w45.declared, w45.escalated, w45.transient) == (1, 0, 0)
    assert w43.times["acknowledge"].median == pytest.approx(300)  # first page 22:31 → 22:36
    assert w43.times["mitigate"].median == pytest.approx(40 * 60)
    assert w43.times["resolve"].median == pytest.approx(80 * 60)
    acknowledge = [600, 120, 180]  # INC-2 from the first page, INC-3 from its declaration (no page), INC-4
    mitigate = [90 * 60, 60 * 60, 60 * 60]  # INC-3 and INC-4 were never mitigated: their resolution counts
    resolve = [150 * 60, 60 * 60, 60 * 60]
    for metric, values in (("acknowledge", acknowledge), ("mitigate", mitigate), ("resolve", resolve)):
        assert w44.times[metric].median == pytest.approx(interpolated(values, 50)), metric
        assert w44.times[metric].p90 == pytest.approx(interpolated(values, 90)), metric
    assert w44.times["acknowledge"].p90 == pytest.approx(516)  # 180 + 0.8 × (600 − 180)


def test_weekly_figures_per_severity_and_service(session):
    w44 = figures.incident_figures(session, weeks(at(10, 20, 0), NOW, TZ))[W44]
    assert w44[("severity", "sev1")].declared == 1
    assert w44[("severity", "sev1")].times["acknowledge"].median == pytest.approx(120)
    assert w44[("severity", "sev2")].declared == 1 and w44[("severity", "sev2")].transient == 1
    checkout = w44[("service", "checkout")]
    assert (checkout.declared, checkout.escalated, checkout.transient) == (2, 1, 1)
    assert checkout.times["acknowledge"].median == pytest.approx(360)
    assert checkout.times["acknowledge"].p90 == pytest.approx(interpolated([600, 120], 90))
    assert w44[("service", "payments")].times["resolve"].median == pytest.approx(3600)
    only_payments = figures.incident_figures(session, weeks(at(10, 20, 0), NOW, TZ), service="payments")
    assert W43 not in only_payments
    assert only_payments[W44][figures.ALL].declared == 1


def test_pages_per_person_and_out_of_hours(session):
    found = figures.pages_per_person(session, weeks(at(10, 20, 0), NOW, TZ))
    assert found[W43] == [figures.PersonPages(BOB, 1, 1)]
    # Bob: INC-2 at 00:30 CET (its renotify is not a second page) and INC-4 at 11:00 CET; Carol: INC-2's level 2.
    assert found[W44] == [figures.PersonPages(BOB, 2, 1), figures.PersonPages(CAROL, 1, 1)]
    assert found[W45] == [figures.PersonPages(ALICE, 1, 0)]


def test_rolling_uptime_merges_overlapping_incidents(session):
    buckets = rolling(weeks(at(10, 26, 12), NOW, TZ), TZ, NOW)
    found = figures.uptime(session, CONF.downtime_severities(), buckets, ["checkout", "payments", "search"], NOW)
    four_weeks_to_w44 = (at(11, 1, 23) - at(10, 4, 22)).total_seconds()  # 28 days and the hour DST gave back
    # INC-1 from its alert's startsAt 22:20 to its mitigation 23:10; INC-2 ∪ INC-3 is 23:30 → 01:30 once, not 2.5 h.
    checkout_down = 50 * 60 + 2 * 3600
    assert found["checkout"][W44] == pytest.approx(100 * (1 - checkout_down / four_weeks_to_w44))
    assert found["payments"][W44] == 100.0  # INC-4 is sev3: not downtime
    to_now = (NOW - at(10, 11, 22)).total_seconds()
    assert found["payments"][W45] == pytest.approx(100 * (1 - 30 * 60 / to_now))
    assert found["checkout"][W45] == pytest.approx(100 * (1 - checkout_down / to_now))
    assert found["search"] == {W44: 100.0, W45: 100.0}


def test_daily_uptime_for_90_days_with_a_25_hour_day(session):
    buckets = days(NOW, TZ)
    assert len(buckets) == 90 and buckets[-1] == Bucket("2026-11-04", at(11, 3, 23), NOW)
    found = figures.uptime(session, CONF.downtime_severities(), buckets, ["checkout"], NOW)["checkout"]
    # INC-1's downtime, 22:20 → 23:10 UTC, crosses local midnight (23:00 UTC): 40 minutes of the 25-hour
    # day summer time ended, 10 minutes of the next day, with INC-2 ∪ INC-3's two hours.
    assert found["2026-10-25"] == pytest.approx(100 * (1 - 40 * 60 / (25 * 3600)))
    assert found["2026-10-26"] == pytest.approx(100 * (1 - (10 * 60 + 2 * 3600) / (24 * 3600)))
    assert found["2026-10-28"] == 100.0  # the transient alert is noise, not downtime
    assert sum(1 for value in found.values() if value < 100) == 2


def test_page_log(session):
    rows = session.execute(figures.page_log(at(10, 25, 23), at(10, 26, 0))).mappings().all()
    assert [(r.user_id, r.level, r.reason, r.out_of_hours, r.acknowledged_by, r.escalated) for r in rows] == [
        (BOB, 1, "declared", True, CAROL, True),
        (BOB, 1, "renotify", True, CAROL, True),
        (CAROL, 2, "escalation", True, CAROL, True),
    ]
    assert [r.acknowledged_after_s for r in rows] == pytest.approx([600, 480, 300])
    assert {r.incident for r in rows} == {2}
    week = session.execute(figures.page_log(at(10, 20, 0), NOW)).mappings().all()
    assert [(r.incident, r.reason, r.escalated) for r in week] == [
        (1, "alert", False), (2, "declared", True), (2, "renotify", True), (2, "escalation", True),
        (4, "command", False), (6, "declared", False)]


def test_incident_log(session):
    rows = session.execute(figures.incident_log(at(10, 25, 0), at(10, 27, 0))).mappings().all()
    assert [r.incident for r in rows] == [1, 2, 3]
    assert [(r.time_to_acknowledge_s, r.time_to_mitigate_s, r.time_to_resolve_s) for r in rows] == [
        pytest.approx((300, 2400, 4800)), pytest.approx((600, 5400, 9000)), pytest.approx((120, 3600, 3600))]
    assert [(r.escalated, r.pages) for r in rows] == [(False, 1), (True, 2), (False, 0)]
