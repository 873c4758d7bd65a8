"""Hypothesis strategies for rotations, layers and instants, shared by the rotation and layer tests."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from bot.config import Handoff, HoursConfig, LayerConfig, RotationConfig

UTC = timezone.utc
ALICE, BOB, CAROL, DAVE = "U01ALICE", "U02BOB", "U03CAROL", "U04DAVE"

ZONES = [ZoneInfo(name) for name in (
    "Europe/Rome", "America/New_York", "UTC", "Australia/Lord_Howe", "Asia/Kolkata", "America/St_Johns",
    "Pacific/Chatham", "America/Sao_Paulo",
)]
MEMBERS = [ALICE, BOB, CAROL, DAVE]

rotations = st.one_of(
    st.sampled_from(["hourly", "daily", "weekly"]),
    st.integers(1, 21).map(lambda days: timedelta(days=days)),
    st.integers(1, 72 * 4).map(lambda quarters: timedelta(minutes=15 * quarters)),
)
handoffs = st.builds(Handoff, st.none() | st.integers(0, 6), st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])))
schedules = st.builds(
    lambda rotation, handoff, members: RotationConfig(rotation=rotation, handoff=handoff, members=members),
    rotations, handoffs, st.lists(st.sampled_from(MEMBERS), min_size=1, max_size=4),
)
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC))
zones = st.sampled_from(ZONES)
clocks = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
hours = st.tuples(
    st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True), clocks, clocks,
).filter(lambda t: t[1] != t[2]).map(lambda t: HoursConfig(days=t[0], start=t[1], end=t[2]))


@st.composite
def layer_lists(draw, max_layers: int = 3) -> list[LayerConfig]:
    """One to three layers, each with its own rotation, zone and (often) hours."""
    found = []
    for index in range(draw(st.integers(1, max_layers))):
        base = draw(schedules.filter(lambda s: s.period >= timedelta(hours=1)))
        found.append(LayerConfig(
            name=f"layer{index}", rotation=base.rotation, handoff=base.handoff, members=base.members,
            zone=draw(st.sampled_from(ZONES)).key, hours=draw(st.none() | hours),
        ))
    return found
