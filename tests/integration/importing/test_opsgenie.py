"""``python -m bot import opsgenie`` against a fake Opsgenie API and the fake Slack."""

from __future__ import annotations

import yaml

from tests.fakeproviders.opsgenie import KEY

PEOPLE = [("og-alice", "Alice", "alice@example.com"), ("og-bob", "Bob", "bob@example.com"),
          ("og-carol", "Carol", "carol@example.com"), ("og-dave", "Dave", "dave@example.com")]


def user(person: str) -> dict:
    return {"type": "user", "id": person, "username": dict((i, e) for i, _, e in PEOPLE)[person]}


def rotation(name, kind, start, people, restriction=None, length=1):
    return {"id": f"rot-{name.lower()}", "name": name, "startDate": start, "type": kind, "length": length,
            "participants": [user(p) for p in people], **({"timeRestriction": restriction} if restriction else {})}


def hours(start: int, end: int) -> dict:
    return {"type": "time-of-day", "restriction": {"startHour": start, "startMin": 0, "endHour": end, "endMin": 0}}


def account(fake, *, layered=True) -> None:
    fake.users = [{"id": i, "username": e, "fullName": n, "timeZone": "Europe/Rome"} for i, n, e in PEOPLE]
    sre = {"id": "sch-sre", "name": "SRE", "timezone": "Europe/Rome", "enabled": True, "ownerTeam": {"id": "team-1"},
           "rotations": [rotation("Weekly", "weekly", "2026-11-02T08:00:00Z", ["og-alice", "og-bob", "og-carol"])]}
    sun = {"id": "sch-sun", "name": "Follow the Sun", "timezone": "UTC", "enabled": True, "rotations": [
        rotation("APAC", "daily", "2026-11-30T00:00:00Z", ["og-alice"], hours(0, 8)),
        rotation("EMEA", "weekly", "2026-11-30T08:00:00Z", ["og-bob", "og-carol"], hours(8, 16)),
        rotation("AMER", "weekly", "2026-11-30T16:00:00Z", ["og-dave"], hours(16, 0)),
    ]}
    office = {"id": "sch-office", "name": "Office", "timezone": "America/New_York", "enabled": True, "rotations": [
        rotation("Weekdays", "weekly", "2026-11-30T14:00:00Z", ["og-bob", "og-dave"], {
            "type": "weekday-and-time-of-day", "restrictions": [
                {"startDay": day, "startHour": 9, "startMin": 0, "endDay": day, "endHour": 18, "endMin": 0}
                for day in ("monday", "tuesday", "wednesday", "thursday", "friday")]})]}
    fake.schedules = [sre, sun, office] if layered else [sre]
    fake.overrides = {"sch-sre": [{"alias": "dentist", "user": user("og-dave"), "startDate": "2026-12-05T10:00:00Z",
                                   "endDate": "2026-12-05T18:00:00Z", "rotations": []}]}
    second = {"type": "schedule", "id": "sch-sun", "name": "Follow the Sun"} if layered else user("og-bob")
    fake.escalations = [{"id": "esc-1", "name": "Checkout", "ownerTeam": {"id": "team-1"}, "rules": [
        {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 0, "timeUnit": "minutes"},
         "recipient": {"type": "schedule", "id": "sch-sre", "name": "SRE"}},
        {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 5, "timeUnit": "minutes"},
         "recipient": second},
        {"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 15, "timeUnit": "minutes"},
         "recipient": user("og-dave")},
    ], "repeat": {"waitInterval": 10, "count": 2, "resetRecipientStates": False, "closeAlertAfterAll": False}}]
    fake.services = [{"id": "svc-1", "name": "Checkout API", "teamId": "team-1", "description": "Takes the money"}]
    fake.routing_rules = {"team-1": [{"id": "rr-default", "name": "Default", "isDefault": True, "order": 0,
                                      "criteria": {"type": "match-all"}, "notify": {"type": "escalation", "id": "esc-1",
                                                                                    "name": "Checkout"}}]}


def args(fake, *more: str) -> list[str]:
    return ["opsgenie", "--token", KEY, "--url", fake.url, *more]


def test_a_weekly_schedule_a_three_level_escalation_and_an_override(opsgenie, run_import):
    account(opsgenie, layered=False)
    result = run_import(*args(opsgenie))
    assert result.status == 0, result.err
    data = yaml.safe_load(result.path.read_text())
    assert data["schedules"]["sre"]["handoff"] == "mon 09:00"
    assert data["escalation_policies"]["checkout"] == {"levels": [
        {"notify": [{"schedule": "sre"}], "escalate_after": "5m"},
        {"notify": [{"user": "U02BOB"}], "escalate_after": "10m"},
        {"notify": [{"user": "U04DAVE"}], "escalate_after": "10m"},  # the repeat's wait
    ], "repeat": 2}
    assert data["services"] == {"checkout-api": {"escalation_policy": "checkout", "description": "Takes the money"}}
    assert "sre: 14 days compared hour by hour: identical" in result.err
    result.config()


def test_users_are_read_page_by_page(opsgenie, run_import):
    account(opsgenie, layered=False)
    opsgenie.users += [{"id": f"og-x{n}", "username": f"x{n}@example.com", "fullName": f"X {n}"} for n in range(150)]
    opsgenie.fail(429, times=1, retry_after=1)
    result = run_import(*args(opsgenie, "--dry-run"))
    assert result.status == 0, result.err
    assert [r.query.get("offset", ["0"])[0] for r in opsgenie.requests if r.path == "/v2/users"] == ["0", "100"]


def test_time_based_routing_teams_and_if_not_closed_are_listed(opsgenie, run_import):
    account(opsgenie, layered=False)
    opsgenie.routing_rules["team-1"].insert(0, {
        "id": "rr-night", "name": "Nights to the NOC", "isDefault": False, "order": 0, "criteria": {"type": "match-all"},
        "timeRestriction": {"type": "time-of-day", "restriction": {"startHour": 22, "startMin": 0, "endHour": 6,
                                                                   "endMin": 0}},
        "notify": {"type": "escalation", "id": "esc-1"}})
    opsgenie.escalations[0]["rules"][2]["condition"] = "if-not-closed"
    opsgenie.escalations[0]["rules"].append({"condition": "if-not-acked", "notifyType": "default",
                                             "delay": {"timeAmount": 15, "timeUnit": "minutes"},
                                             "recipient": {"type": "team", "id": "team-1", "name": "Platform"}})
    opsgenie.schedules[0]["rotations"][0]["participants"].append({"type": "none"})
    result = run_import(*args(opsgenie))
    assert result.status == 3
    assert ('Opsgenie routing rule "Nights to the NOC" of team team-1: routes by time of day; here a service always '
            "pages one escalation policy") in result.err
    assert 'Opsgenie escalation "Checkout", rule 3: if-not-closed: here escalation stops when someone acknowledges' in result.err
    assert 'Opsgenie escalation "Checkout", rule 4: team Platform: a team has no equivalent here' in result.err
    assert 'Opsgenie schedule "SRE", rotation "Weekly": a "none" turn' in result.err
    result.config()



def test_follow_the_sun_and_weekday_hours_carry_over_hour_for_hour(opsgenie, run_import):
    account(opsgenie)
    result = run_import(*args(opsgenie))
    assert result.status == 0, result.err
    data = yaml.safe_load(result.path.read_text())
    sun = data["schedules"]["follow-the-sun"]["layers"]
    assert [(layer["name"], layer["zone"], layer["hours"]["start"], layer["hours"]["end"]) for layer in sun] == [
        ("apac", "UTC", "00:00", "08:00"), ("emea", "UTC", "08:00", "16:00"), ("amer", "UTC", "16:00", "00:00")]
    office = data["schedules"]["office"]["layers"]
    assert office[0]["zone"] == "America/New_York" and office[0]["hours"] == {"days": "mon-fri", "start": "09:00",
                                                                               "end": "18:00"}
    for name in ("sre", "follow-the-sun", "office"):
        assert f"{name}: 14 days compared hour by hour: identical" in result.err


def test_overlapping_rotations_page_both_there_and_the_comparison_says_so(opsgenie, run_import):
    account(opsgenie, layered=False)
    opsgenie.schedules[0]["rotations"].append(rotation("Shadow", "weekly", "2026-11-02T08:00:00Z", ["og-dave"]))
    result = run_import(*args(opsgenie, "--dry-run"))
    assert result.status == 3
    assert "sre: 14 days compared hour by hour: 328 of 336 hours differ, first:" in result.err  # all but the override
    assert "the source says Bob (U02BOB) and Dave (U04DAVE), here Dave (U04DAVE)" in result.err
    assert ('Opsgenie schedule "SRE": rotations "Shadow" and "Weekly" overlap: both are paged there; here the later '
            "layer wins") in result.err
