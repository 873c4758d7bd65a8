"""``python -m bot import pagerduty`` against a fake PagerDuty REST API v2 and the fake Slack."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timezone

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.paging import layers
from models.oncall import Override
from tests.fakeproviders.pagerduty_rest import TOKEN
from tests.integration.importing.conftest import NOW

PEOPLE = [("PALICE1", "Alice", "alice@example.com"), ("PBOB002", "Bob", "bob@example.com"),
          ("PCAROL3", "Carol", "carol@example.com"), ("PDAVE04", "Dave", "dave@example.com"),
          ("PERIN05", "Erin", "erin@elsewhere.example")]  # Erin has no Slack account


def ref(user: str) -> dict:
    return {"user": {"id": user, "type": "user_reference"}}


def layer(name: str, users: list[str], virtual_start: str, turn: int, restrictions=(), start="2026-01-01T00:00:00Z"):
    return {"id": f"L{name[:5].upper()}", "name": name, "start": start, "end": None, "rotation_virtual_start": virtual_start,
            "rotation_turn_length_seconds": turn, "users": [ref(u) for u in users], "restrictions": list(restrictions)}


def weekdays(start: str, seconds: int) -> list[dict]:
    return [{"type": "weekly_restriction", "start_time_of_day": start, "duration_seconds": seconds,
             "start_day_of_week": day} for day in range(1, 6)]


def daily(start: str, seconds: int) -> list[dict]:
    return [{"type": "daily_restriction", "start_time_of_day": start, "duration_seconds": seconds}]


def account(fake, *, erin_on_call=False, round_robin=False, layered=True) -> None:
    """A realistic account: a weekly primary, a follow-the-sun, weekday business hours, a three-level policy
    (without ``layered``: the primary alone, and the policies that page it or people)."""
    fake.users = [{"id": i, "type": "user", "name": n, "email": e, "time_zone": "Europe/Rome"} for i, n, e in PEOPLE]
    primary = {"id": "PSPRIM1", "name": "Platform Primary", "time_zone": "Europe/Rome", "schedule_layers": [
        layer("Weekly", ["PALICE1", "PBOB002", "PCAROL3"] + (["PERIN05"] if erin_on_call else []),
              "2026-11-02T09:00:00+01:00", 604800)]}
    sun = {"id": "PSSUN01", "name": "Follow the Sun", "time_zone": "UTC", "schedule_layers": [  # highest first
        layer("Americas", ["PDAVE04", "PCAROL3"], "2026-11-30T16:00:00Z", 604800, daily("16:00:00", 8 * 3600)),
        layer("Europe", ["PBOB002", "PCAROL3"], "2026-11-30T08:00:00Z", 86400,
              daily("08:00:00", 8 * 3600)),
        layer("Asia", ["PALICE1"], "2026-11-30T00:00:00Z", 604800, daily("00:00:00", 8 * 3600)),
    ]}
    office = {"id": "PSOFFIC", "name": "Office Hours", "time_zone": "America/New_York", "schedule_layers": [
        layer("Weekdays", ["PBOB002", "PDAVE04"], "2026-11-30T09:00:00-05:00", 86400, weekdays("09:00:00", 9 * 3600))]}
    fake.schedules = [primary, sun, office] if layered else [primary]
    fake.overrides = {"PSPRIM1": [
        {"id": "PO1", "start": "2026-12-05T10:00:00Z", "end": "2026-12-05T18:00:00Z",
         "user": {"id": "PDAVE04", "type": "user_reference", "summary": "Dave"}},
        {"id": "PO0", "start": "2026-11-20T10:00:00Z", "end": "2026-11-20T18:00:00Z",  # past: not asked for
         "user": {"id": "PCAROL3", "type": "user_reference", "summary": "Carol"}},
    ]}
    rule = lambda delay, *targets, **extra: {"id": f"R{delay}", "escalation_delay_in_minutes": delay,  # noqa: E731
                                             "targets": list(targets), **extra}
    fake.escalation_policies = [
        {"id": "PEP0001", "type": "escalation_policy", "name": "Checkout", "num_loops": 2, "escalation_rules": [
            rule(5, {"id": "PSPRIM1", "type": "schedule_reference"}),
            rule(10, {"id": "PSSUN01", "type": "schedule_reference"} if layered else {"id": "PBOB002", "type": "user_reference"}),
            rule(15, {"id": "PDAVE04", "type": "user_reference"}, {"id": "PALICE1", "type": "user_reference"}),
        ]},
        {"id": "PEP0002", "type": "escalation_policy", "name": "Support Desk", "num_loops": 0, "escalation_rules": [
            rule(30, {"id": "PSOFFIC", "type": "schedule_reference"} if layered else {"id": "PCAROL3", "type": "user_reference"},
                 **({"escalation_rule_assignment_strategy": {"type": "round_robin"}} if round_robin else {})),
        ]},
    ]
    fake.services = [
        {"id": "PSVC001", "name": "Checkout API", "description": "Takes the money",
         "escalation_policy": {"id": "PEP0001", "type": "escalation_policy_reference"}},
        {"id": "PSVC002", "name": "Help Center", "description": None,
         "escalation_policy": {"id": "PEP0002", "type": "escalation_policy_reference"}},
    ]


def args(fake, *more: str) -> list[str]:
    return ["pagerduty", "--token", TOKEN, "--url", fake.url, *more]



def test_everything_carries_over_and_the_14_days_agree(pagerduty, run_import, engine):
    account(pagerduty)
    result = run_import(*args(pagerduty))
    assert result.status == 0, result.err
    text = result.path.read_text()
    assert text.startswith(f"# Imported from PagerDuty ({pagerduty.url}/) on 2026-12-03 14:20 UTC")
    data = yaml.safe_load(text)
    assert data["timezone"] in ("Europe/Rome", "UTC", "America/New_York")
    config = result.config()  # the bot's own loader takes it, and so does the command
    check = subprocess.run([sys.executable, "-m", "bot", "check-config"], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "INCIDENT_CONFIG": str(result.path)})
    assert check.returncode == 0 and f"{result.path}: OK" in check.stdout, check.stderr
    assert set(config.schedules) == {"platform-primary", "follow-the-sun", "office-hours"}
    policy = data["escalation_policies"]["checkout"]
    assert policy == {"levels": [
        {"notify": [{"schedule": "platform-primary"}], "escalate_after": "5m"},
        {"notify": [{"schedule": "follow-the-sun"}], "escalate_after": "10m"},
        {"notify": [{"user": "U04DAVE"}, {"user": "U01ALICE"}], "escalate_after": "15m"},
    ], "repeat": 2}
    assert data["services"]["checkout-api"] == {"escalation_policy": "checkout", "description": "Takes the money"}
    assert data["services"]["help-center"] == {"escalation_policy": "support-desk"}
    for name in ("platform-primary", "follow-the-sun", "office-hours"):
        assert f"{name}: 14 days compared hour by hour: identical" in result.err
    with Session(engine) as session:
        rows = session.scalars(select(Override)).all()
    assert [(r.schedule, r.user_id, r.starts_at.isoformat(), r.created_by) for r in rows] == [
        ("platform-primary", "U04DAVE", "2026-12-05T10:00:00+00:00", "the PagerDuty import")]


def test_lists_are_followed_page_by_page(pagerduty, run_import):
    account(pagerduty, layered=False)
    pagerduty.users += [{"id": f"PX{n:05d}", "type": "user", "name": f"Extra {n}", "email": f"x{n}@example.com"}
                        for n in range(230)]
    result = run_import(*args(pagerduty, "--dry-run"))
    assert result.status == 0, result.err
    offsets = [r.query["offset"][0] for r in pagerduty.requests if r.path == "/users"]
    assert offsets == ["0", "100", "200"]


def test_a_429_is_waited_out_as_retry_after_says(pagerduty, run_import):
    account(pagerduty, layered=False)
    pagerduty.fail(429, times=1, retry_after=1)
    started = time.monotonic()
    result = run_import(*args(pagerduty, "--dry-run"))
    assert result.status == 0, result.err
    assert time.monotonic() - started >= 1
    assert pagerduty.requests[0].path == "/users"  # the refused request was asked again


def test_what_has_no_equivalent_is_listed_and_the_status_is_3(pagerduty, run_import):
    account(pagerduty, erin_on_call=True, round_robin=True, layered=False)
    pagerduty.overrides["PSPRIM1"].append({"id": "PO2", "start": "2026-12-08T00:00:00Z", "end": "2026-12-08T06:00:00Z",
                                           "user": {"id": "PERIN05", "type": "user_reference", "summary": "Erin"}})
    pagerduty.schedules[0]["schedule_layers"][:0] = [  # highest first: a holiday cover ending soon, an old layer
        {**layer("Holidays", ["PDAVE04"], "2026-12-24T00:00:00Z", 86400), "start": "2026-12-24T00:00:00Z",
         "end": "2026-12-27T00:00:00Z"},
        {**layer("Freeze", ["PALICE1"], "2026-12-01T00:00:00Z", 86400), "end": "2026-12-10T00:00:00Z"},
        {**layer("Old", ["PDAVE04"], "2026-01-01T00:00:00Z", 86400), "end": "2026-06-01T00:00:00Z"},
    ]
    result = run_import(*args(pagerduty))
    assert result.status == 3
    assert "Not carried over" in result.err
    assert ('PagerDuty schedule "Platform Primary", layer "Freeze": ends 2026-12-10 00:00 UTC; a layer here does not '
            "end, so it goes on after that") in result.err
    assert 'layer "Holidays": starts 2026-12-24 00:00 UTC; a layer here applies at once, so it is not imported' in result.err
    assert "holidays" not in result.path.read_text()
    assert 'Note: PagerDuty schedule "Platform Primary", layer "Old" ended 2026-06-01: nothing to carry over.' in result.err
    assert "PagerDuty user Erin <erin@elsewhere.example>: has no active Slack account with this e-mail" in result.err
    assert 'PagerDuty escalation policy "Support Desk", level 1: round robin: here a level pages every target' in result.err
    assert "PagerDuty override 2026-12-08 00:00–2026-12-08 06:00 UTC: Erin <erin@elsewhere.example> has no Slack" in result.err
    # Erin's weeks went to the others here, and the comparison says where that differs
    assert "platform-primary: 14 days compared hour by hour:" in result.err
    assert "hours differ, first:" in result.err
    result.config()


def test_a_source_that_disagrees_is_reported_with_the_first_differences(pagerduty, run_import):
    account(pagerduty, layered=False)
    pagerduty.tampered["PSPRIM1"] = [{"start": "2026-12-03T14:00:00Z", "end": "2026-12-20T00:00:00Z",
                                      "user": {"id": "PCAROL3", "type": "user_reference"}}]
    result = run_import(*args(pagerduty, "--dry-run"))
    assert result.status == 3
    assert "platform-primary: 14 days compared hour by hour: " in result.err
    assert "hours differ, first:" in result.err
    assert "336 of 336 hours differ" not in result.err  # Carol's own week agrees
    assert "  Thu 03 Dec 16:00 CET: the source says Carol (U03CAROL), here Bob (U02BOB)" in result.err


def test_a_weekly_rotation_keeps_its_order_and_its_handoff(pagerduty, run_import):
    account(pagerduty, layered=False)
    result = run_import(*args(pagerduty))
    assert result.status == 0, result.err
    data = yaml.safe_load(result.path.read_text())
    # The source's turns began with Alice on Mon 2 Nov 09:00 Rome: Bob has the week of 30 Nov, Carol the next.
    assert data["schedules"] == {"platform-primary": {"rotation": "weekly", "handoff": "mon 09:00",
                                                      "members": data["schedules"]["platform-primary"]["members"]}}
    config = result.config()
    rota = layers.build_rota("platform-primary", config.schedules["platform-primary"], config.tz)
    assert layers.who_at(rota, datetime(2026, 12, 3, 12, tzinfo=timezone.utc)) == "U02BOB"
    assert "platform-primary: 14 days compared hour by hour: identical" in result.err


def test_a_weekend_block_a_fortnight_and_a_change_of_clocks_mean_the_same(pagerduty, run_import):
    """Fri 18:00 to Mon 09:00 in one weekly restriction becomes several hours windows of one rotation; a two-week
    turn that our anchor cannot start becomes a weekly one where each person appears twice; a 12-hour turn keeps
    its elapsed hours across the change to summer time (14 March 2027 in New York)."""
    account(pagerduty, layered=False)
    pagerduty.schedules += [
        {"id": "PSWKEND", "name": "Weekend", "time_zone": "Europe/Rome", "schedule_layers": [
            layer("Weekend", ["PALICE1", "PBOB002"], "2027-03-05T18:00:00+01:00", 604800,
                  [{"type": "weekly_restriction", "start_time_of_day": "18:00:00", "duration_seconds": 63 * 3600,
                    "start_day_of_week": 5}])]},
        {"id": "PSFORTN", "name": "Fortnight", "time_zone": "Europe/Rome", "schedule_layers": [
            layer("Fortnight", ["PCAROL3", "PDAVE04"], "2027-03-15T09:00:00+01:00", 14 * 86400)]},
        {"id": "PSHALF", "name": "Halves", "time_zone": "America/New_York", "schedule_layers": [
            layer("Halves", ["PALICE1", "PDAVE04"], "2027-03-01T08:00:00-05:00", 12 * 3600)]},
    ]
    result = run_import(*args(pagerduty), now=datetime(2027, 3, 8, 10, tzinfo=timezone.utc))
    assert result.status == 0, result.err
    data = yaml.safe_load(result.path.read_text())
    weekend = data["schedules"]["weekend"]["layers"]
    assert [layer["hours"] for layer in weekend] == [
        {"days": ["mon"], "start": "00:00", "end": "09:00"},
        {"days": ["fri"], "start": "18:00", "end": "00:00"},
        {"days": "sat-sun", "start": "00:00", "end": "12:00"},
        {"days": "sat-sun", "start": "12:00", "end": "00:00"},
    ]
    assert {layer["rotation"] for layer in weekend} == {"weekly"} and len({layer["name"] for layer in weekend}) == 4
    fortnight = data["schedules"]["fortnight"]  # 15 March 2027 is an odd week from our anchor
    assert fortnight["rotation"] == "weekly" and sorted(fortnight["members"]) == ["U03CAROL"] * 2 + ["U04DAVE"] * 2
    for name in ("weekend", "fortnight", "halves", "platform-primary"):
        assert f"{name}: 14 days compared hour by hour: identical" in result.err
    assert '"18:00"' in result.path.read_text()


def test_the_imported_file_and_overrides_are_what_the_bot_then_says(pagerduty, run_import, make_bot, clock):
    account(pagerduty, layered=False)
    result = run_import(*args(pagerduty))
    assert result.status == 0, result.err
    clock.advance(NOW - clock.now())
    bot = make_bot(config=yaml.safe_load(result.path.read_text()))
    text = bot.command("oncall platform-primary").json()["text"]
    assert text.startswith("*platform-primary*: <@U02BOB> is on call now")
    assert "Override: <@U04DAVE> from" in text and "(set by the PagerDuty import)" in text
