"""``python -m bot import grafana-oncall`` against a fake Grafana OnCall API v1 and the fake Slack."""

from __future__ import annotations

import yaml

from tests.fakeproviders.grafana_oncall import TOKEN

PEOPLE = [("UALICE", "alice@example.com"), ("UBOB", "bob@example.com"), ("UCAROL", "carol@example.com"),
          ("UDAVE", "dave@example.com")]


def shift(id, name, start, duration, groups, *, frequency="weekly", by_day=None, level=0, zone=None, kind="rolling_users"):
    return {"id": id, "name": name, "type": kind, "team_id": None, "time_zone": zone, "level": level, "start": start,
            "duration": duration, "frequency": frequency, "interval": 1, "until": None, "week_start": "MO",
            "by_day": by_day, "by_month": None, "by_monthday": None, "rolling_users": groups,
            "start_rotation_from_user_index": 0, "users": [u for g in groups for u in g]}


def step(chain, position, kind, **fields):
    return {"id": f"E{chain}{position}", "escalation_chain_id": chain, "position": position, "type": kind,
            "important": False, **fields}


def account(fake, *, layered=True) -> None:
    fake.users = [{"id": i, "email": e, "username": e.split("@")[0], "role": "user", "timezone": "Europe/Rome",
                   "slack": None} for i, e in PEOPLE]
    fake.shifts = [
        shift("OSRE1", "Weekly", "2026-11-02T09:00:00", 7 * 86400, [["UALICE"], ["UBOB"], ["UCAROL"]],
              zone="Europe/Rome"),
        {**shift("OOVR1", "Dentist", "2026-12-05T11:00:00", 8 * 3600, [], zone="Europe/Rome", kind="override"),
         "users": ["UDAVE"], "rolling_users": None, "frequency": None},
        shift("OAPAC", "APAC", "2026-11-30T00:00:00", 8 * 3600, [["UALICE"]], frequency="daily", level=1, zone="UTC"),
        shift("OEMEA", "EMEA", "2026-11-30T08:00:00", 8 * 3600, [["UBOB"], ["UCAROL"]],
              by_day=["MO", "TU", "WE", "TH", "FR", "SA", "SU"], level=1, zone="UTC"),
        shift("OAMER", "AMER", "2026-11-30T16:00:00", 8 * 3600, [["UDAVE"]],
              by_day=["MO", "TU", "WE", "TH", "FR", "SA", "SU"], level=1, zone="UTC"),
        shift("OOFFI", "Weekdays", "2026-11-30T09:00:00", 9 * 3600, [["UBOB"], ["UDAVE"]],
              by_day=["MO", "TU", "WE", "TH", "FR"], zone="America/New_York"),
    ]
    sre = {"id": "SSRE", "name": "SRE", "type": "web", "time_zone": "Europe/Rome", "team_id": None,
           "on_call_now": [], "shifts": ["OSRE1", "OOVR1"]}
    sun = {"id": "SSUN", "name": "Follow the Sun", "type": "web", "time_zone": "UTC", "shifts": ["OAPAC", "OEMEA", "OAMER"]}
    office = {"id": "SOFF", "name": "Office", "type": "web", "time_zone": "America/New_York", "shifts": ["OOFFI"]}
    fake.schedules = [sre, sun, office] if layered else [sre]
    fake.chains = [{"id": "CCHK", "team_id": None, "name": "Checkout"}]
    second = step("CCHK", 2, "notify_on_call_from_schedule", notify_on_call_from_schedule="SSUN") if layered \
        else step("CCHK", 2, "notify_persons", persons_to_notify=["UBOB"])
    fake.steps = [step("CCHK", 0, "notify_on_call_from_schedule", notify_on_call_from_schedule="SSRE"),
                  step("CCHK", 1, "wait", duration=300), second, step("CCHK", 3, "wait", duration=600),
                  step("CCHK", 4, "notify_persons", persons_to_notify=["UDAVE", "UALICE"]),
                  step("CCHK", 5, "wait", duration=900), step("CCHK", 6, "repeat_escalation")]
    fake.integrations = [{"id": "CINT", "name": "Checkout API", "type": "alertmanager", "link": "https://x/",
                          "default_route": {"id": "RDEF", "escalation_chain_id": "CCHK"}}]
    fake.routes = [{"id": "RDEF", "integration_id": "CINT", "escalation_chain_id": "CCHK", "routing_type": "jinja2",
                    "routing_regex": "{{ true }}", "position": 0, "is_the_last_route": True}]


def args(fake, *more: str) -> list[str]:
    return ["grafana-oncall", "--token", TOKEN, "--url", fake.url + "/api/v1/", *more]


def test_a_weekly_rotation_a_chain_and_an_override(grafana, run_import, engine):
    account(grafana, layered=False)
    result = run_import(*args(grafana))
    assert result.status == 0, result.err
    data = yaml.safe_load(result.path.read_text())
    assert data["schedules"]["sre"]["rotation"] == "weekly"
    assert data["escalation_policies"]["checkout"] == {"levels": [
        {"notify": [{"schedule": "sre"}], "escalate_after": "5m"},
        {"notify": [{"user": "U02BOB"}], "escalate_after": "10m"},
        {"notify": [{"user": "U04DAVE"}, {"user": "U01ALICE"}], "escalate_after": "15m"},
    ], "repeat": 5}
    assert data["services"] == {"checkout-api": {"escalation_policy": "checkout"}}
    assert "sre: 14 days compared hour by hour: identical" in result.err


def test_pages_are_followed_by_their_next_url(grafana, run_import):
    account(grafana, layered=False)
    grafana.users += [{"id": f"UX{n}", "email": f"x{n}@example.com", "username": f"x{n}"} for n in range(120)]
    grafana.fail(429, times=2, retry_after=0)
    result = run_import(*args(grafana, "--dry-run"))
    assert result.status == 0, result.err
    assert [r.query.get("page", ["1"])[0] for r in grafana.requests if r.path == "/api/v1/users/"] == ["1", "2", "3"]


def test_jinja2_routes_round_robin_and_groups_are_listed(grafana, run_import):
    account(grafana, layered=False)
    grafana.routes.insert(0, {"id": "RJ2", "integration_id": "CINT", "escalation_chain_id": "CCHK",
                              "routing_type": "jinja2", "routing_regex": '{{ payload.severity == "critical" }}',
                              "position": 0, "is_the_last_route": False})
    grafana.steps.insert(5, step("CCHK", 5, "notify_person_next_each_time", persons_to_notify_next_each_time=["UBOB"]))
    grafana.shifts[0]["rolling_users"][2] = ["UCAROL", "UDAVE"]
    grafana.schedules.append({"id": "SICAL", "name": "Legacy", "type": "ical", "time_zone": "UTC",
                              "ical_url_primary": "https://calendar.example/legacy.ics", "shifts": []})
    result = run_import(*args(grafana))
    assert result.status == 3
    assert 'Grafana OnCall schedule "Legacy": is an iCal feed, not rotations' in result.err
    assert ('Grafana OnCall integration "Checkout API", Jinja2 route \'{{ payload.severity == "critical" }}\': here a '
            "service always pages one escalation policy") in result.err
    assert "notify_person_next_each_time: pages the next person each time (round robin)" in result.err
    assert 'shift "Weekly": puts several people on call at once' in result.err
    result.config()



def test_follow_the_sun_and_weekday_hours_match_the_final_shifts(grafana, run_import):
    account(grafana)
    result = run_import(*args(grafana))
    assert result.status == 0, result.err
    data = yaml.safe_load(result.path.read_text())
    office = data["schedules"]["office"]["layers"][0]
    assert office["hours"] == {"days": "mon-fri", "start": "09:00", "end": "18:00"} and office["zone"] == "America/New_York"
    for name in ("sre", "follow-the-sun", "office"):
        assert f"{name}: 14 days compared hour by hour: identical" in result.err


def test_a_web_schedule_whose_shifts_name_it(grafana, run_import):
    """A schedule made in the web UI may list no shift ids; its shifts then say which schedule they belong to."""
    account(grafana, layered=False)
    grafana.schedules[0] = {**grafana.schedules[0], "shifts": []}
    for shift in grafana.shifts[:2]:
        shift["schedule"] = "SSRE"
    result = run_import(*args(grafana, "--dry-run"))
    assert result.status == 0, result.err
    assert yaml.safe_load(result.out)["schedules"]["sre"]["rotation"] == "weekly"
    assert "sre: 14 days compared hour by hour: identical" in result.err
