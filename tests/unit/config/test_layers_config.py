"""The layered schedules of ``schedules.<name>.layers`` in the file: what loads and what is refused."""

from datetime import time, timedelta

from bot.config import Handoff
from tests.unit.config.test_config import load, problems

INTERFACE_EXAMPLE = """
timezone: Europe/Rome
schedules:
  platform-primary:
    members: [U01ALICE, U02BOB, U03CAROL]
    rotation: weekly
    handoff: "mon 09:00"
  follow-the-sun:
    channel: sre-oncall
    layers:
      - {name: europe, zone: Europe/Rome, rotation: daily, handoff: "09:00", members: [U01ALICE, U02BOB],
         hours: {days: mon-fri, start: "09:00", end: "18:00"}}
      - {name: americas, zone: America/New_York, rotation: weekly, handoff: "mon 09:00", members: [U03CAROL],
         hours: {days: mon-fri, start: "09:00", end: "18:00"}}
      - {name: nights, rotation: weekly, handoff: "mon 18:00", members: [U04DAVE, U05ERIN],
         hours: {days: mon-sun, start: "18:00", end: "09:00"}}
"""


def test_the_interface_example_of_layers_loads(in_tmp):
    config = load(INTERFACE_EXAMPLE)
    sun = config.schedules["follow-the-sun"]
    assert [layer.name for layer in sun.as_layers()] == ["europe", "americas", "nights"]
    europe, americas, nights = sun.as_layers()
    assert (europe.zone, europe.period, europe.hours.days) == ("Europe/Rome", timedelta(days=1), (0, 1, 2, 3, 4))
    assert (americas.zone, americas.handoff) == ("America/New_York", Handoff(0, time(9)))
    assert nights.zone is None and (nights.hours.start, nights.hours.end) == (time(18), time(9))
    assert nights.hours.days == tuple(range(7))
    assert sun.channel == "sre-oncall"


def test_a_rotation_schedule_is_a_schedule_of_one_layer(in_tmp):
    primary = load(INTERFACE_EXAMPLE).schedules["platform-primary"]
    (only,) = primary.as_layers()
    assert (only.name, only.rotation, only.handoff, only.members, only.hours, only.zone) == (
        "rotation", "weekly", Handoff(0, time(9)), ["U01ALICE", "U02BOB", "U03CAROL"], None, None)


def test_hours_that_start_where_they_end_are_refused_saying_what_to_write(in_tmp):
    assert problems("""
        schedules:
          ops:
            layers:
              - {name: day, members: [U01ALICE], hours: {days: mon-fri, start: "09:00", end: "09:00"}}
        """) == [
        'incidents.yaml: schedules.ops.layers[0].hours.end: "09:00" is also the start: say what you mean; leave '
        'hours out for all day, or give an end such as "18:00" (an end before the start crosses midnight)'
    ]


def test_a_zone_that_does_not_exist_is_named_with_its_key(in_tmp):
    assert problems("""
        schedules:
          ops:
            layers:
              - {name: day, zone: Europe/Atlantis, members: [U01ALICE]}
        """) == [
        'incidents.yaml: schedules.ops.layers[0].zone: "Europe/Atlantis" is not a time zone; '
        'use an IANA name such as Europe/Rome or UTC'
    ]


def test_a_layered_schedule_takes_its_rotation_per_layer(in_tmp):
    assert problems("""
        schedules:
          ops:
            rotation: daily
            members: [U01ALICE]
            layers: [{name: day, members: [U02BOB]}]
        """) == [
        "incidents.yaml: schedules.ops.rotation: a layered schedule takes it per layer; move it into each layer "
        "(each has its own rotation, handoff and members)",
        "incidents.yaml: schedules.ops.members: a layered schedule takes it per layer; move it into each layer "
        "(each has its own rotation, handoff and members)",
    ]


def test_layers_need_names_of_their_own_and_members(in_tmp):
    assert problems("""
        schedules:
          ops:
            layers: [{name: day, members: [U01ALICE]}, {name: day, members: [U02BOB]}, {name: night}]
        """) == [
        "incidents.yaml: schedules.ops.layers[2].members: required key is missing",
    ]
    assert problems("""
        schedules:
          ops:
            layers: [{name: day, members: [U01ALICE]}, {name: day, members: [U02BOB]}]
        """) == ['incidents.yaml: schedules.ops.layers[1].name: "day" names two layers; give each its own name']


def test_a_schedule_needs_members_or_layers(in_tmp):
    assert problems("schedules: {ops: {rotation: daily}}") == [
        "incidents.yaml: schedules.ops.members: required key is missing; give members (Slack ids), or layers"]
    assert problems("schedules: {ops: {layers: []}}") == [
        "incidents.yaml: schedules.ops.layers: [] is empty; expected at least one entry"]


def test_a_layer_hours_days_and_times_are_checked_as_business_hours_are(in_tmp):
    found = problems("""
        schedules:
          ops:
            layers: [{name: day, members: [U01ALICE], hours: {days: weekdays, start: 9:00, end: "25:00"}}]
        """)
    assert found == [
        'incidents.yaml: schedules.ops.layers[0].hours.days: "weekdays" is not a day; use mon, tue, wed, thu, fri, '
        'sat or sun',
        'incidents.yaml: schedules.ops.layers[0].hours.start: 540 is not a time of day; write "9:00" in quotes '
        '(YAML reads 9:00 unquoted as 540)',
        'incidents.yaml: schedules.ops.layers[0].hours.end: "25:00" is not a time of day; use HH:MM in quotes, '
        'such as "09:00"',
    ]


def test_the_longest_time_off_is_a_key_with_a_default(in_tmp):
    assert load("timezone: UTC\n").oncall.max_time_off == timedelta(days=60)
    assert load("oncall: {max_time_off: 21d}\n").oncall.max_time_off == timedelta(days=21)


def test_a_longest_time_off_out_of_bounds_is_refused_naming_file_and_key(in_tmp):
    assert problems("oncall: {max_time_off: 400d}\n") == [
        "incidents.yaml: oncall.max_time_off: 400d is not a length of time off; give one from 1d to 366d, "
        "such as 60d (longer is a change of the rotation in this file)"]
    assert problems("oncall: {max_time_off: soon}\n")[0].startswith("incidents.yaml: oncall.max_time_off: ")
