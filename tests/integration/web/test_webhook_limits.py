"""Alert webhooks within bounds: every stored string, the body and the number of alerts. A generic
body over a bound is refused whole (a 4xx naming the field or the limit), so nothing is written; a
long label or annotation from Alertmanager, which never resends after a 4xx, is accepted and fitted."""

import json

import pytest
from sqlalchemy import func, select

from models import Alert, Incident
from tests.driver import http

GENERIC = {"title": "Checkout 5xx above 5%", "dedup_key": "checkout-5xx", "status": "firing"}


def alertmanager(*alerts: dict) -> dict:
    return {"version": "4", "status": "firing", "receiver": "incident-bot", "alerts": list(alerts)}


def alert(**fields) -> dict:
    return {"status": "firing", "labels": {"alertname": "HighErrorRate", "service": "checkout"},
            "annotations": {"summary": "Checkout 5xx above 5%"}, **fields}


@pytest.fixture
def hook_bot(make_bot):
    return make_bot(WEBHOOK_TOKEN="hook-token")


def nothing_written(bot) -> bool:
    with bot.ctx.sessions() as session:
        return session.scalar(select(func.count()).select_from(Alert)) == 0 == session.scalar(
            select(func.count()).select_from(Incident))


def problem_fields(response) -> list[str]:
    assert response.status == 400, response.body
    return [problem["field"] for problem in response.json()["problems"]]


@pytest.mark.parametrize("path, body, field", [
    ("alertmanager", alertmanager(alert(fingerprint="f" * 256)), "alerts[0].fingerprint"),
    ("generic", {**GENERIC, "dedup_key": "k" * 256}, "dedup_key"),
    ("generic", {**GENERIC, "title": "t" * 201}, "title"),
    ("generic", {**GENERIC, "service": "s" * 1025}, "service"),
    ("generic", {**GENERIC, "description": "d" * 10_001}, "description"),
    ("generic", {**GENERIC, "description": "nul \x00 in it"}, "description"),
])
def test_a_string_over_its_bound_is_a_400_naming_it(hook_bot, path, body, field):
    response = hook_bot.webhook(path, body)
    assert problem_fields(response) == [field]
    assert nothing_written(hook_bot)


def test_an_alert_with_nothing_to_identify_it_is_a_400(hook_bot):
    response = hook_bot.webhook("alertmanager", alertmanager(alert(labels={})))
    assert problem_fields(response) == ["alerts[0].fingerprint"]
    assert "no labels" in response.json()["problems"][0]["message"]
    assert nothing_written(hook_bot)


def test_a_body_over_the_default_limit_is_a_413(hook_bot):
    body = b'{"version": "4", "padding": "' + b"x" * 10_000_000 + b'"}'
    response = hook_bot.webhook("alertmanager", body)
    assert (response.status, response.json()) == (413, {
        "error": "the body is over 1048576 bytes (alerts.max_body_bytes)", "limit": 1048576})
    assert nothing_written(hook_bot)


def test_a_chunked_body_is_cut_off_at_the_configured_limit(make_bot):
    bot = make_bot(config={"alerts": {"max_body_bytes": 4096}}, WEBHOOK_TOKEN="hook-token")
    chunks = iter([b'{"title": "', *[b"x" * 1024] * 8, b'"}'])  # no Content-Length: urllib sends it chunked
    response = http("POST", f"{bot.url}/webhooks/generic", chunks,
                    {"Content-Type": "application/json", "Authorization": "Bearer hook-token"})
    assert (response.status, response.json()) == (413, {
        "error": "the body is over 4096 bytes (alerts.max_body_bytes)", "limit": 4096})
    assert nothing_written(bot)


@pytest.mark.parametrize("config, limit", [({}, 1000), ({"alerts": {"max_alerts_per_request": 3}}, 3)])
def test_more_alerts_than_the_limit_is_a_413_and_writes_nothing(make_bot, config, limit):
    bot = make_bot(config=config, WEBHOOK_TOKEN="hook-token")
    body = alertmanager(*[alert(fingerprint=f"fp{i}") for i in range(limit + 1)])
    response = bot.webhook("alertmanager", body)
    assert (response.status, response.json()) == (413, {
        "error": f"{limit + 1} alerts in one notification; at most {limit} (alerts.max_alerts_per_request)",
        "limit": limit})
    assert nothing_written(bot)
    assert bot.webhook("alertmanager", alertmanager(*[alert(fingerprint=f"fp{i}") for i in range(3)])).status == 202


def test_a_long_alertmanager_alert_is_accepted_kept_bounded_and_fitted_to_slack(make_bot, fake_slack):
    """Labels and annotations of 100 KB each, four times: each is an incident, its values cut to the
    bounds in the database, and Slack gets what fits its limits (the fake Slack refuses the rest)."""
    from datetime import timedelta

    from tests.integration.helpers import incident
    from tests.integration.paging.test_paging import run_due
    bot = make_bot(WEBHOOK_TOKEN="hook-token")
    long = "x" * 100_000
    for n in range(4):
        body = alertmanager(alert(fingerprint=f"long{n}", labels={"alertname": f"Long{n}", "service": "checkout",
                                                                    "team": long, "k" * 100_000: "v"},
                                  annotations={"summary": f"Long {n} " + long, "description": long,
                                               "runbook": "nul \x00 in it"}))
        body["groupKey"] = f"g{n}"
        response = bot.webhook("alertmanager", body)
        assert response.status == 202, response.body[:300]
    run_due(bot, timedelta(minutes=3))  # past the grace period: each opens, Slack gets its summary
    with bot.ctx.sessions() as session:
        stored = list(session.scalars(select(Alert)))
    assert len(stored) == 4
    for row in stored:
        labels, annotations = row.payload["labels"], row.payload["annotations"]
        assert len(labels["team"]) == 1024 and labels["team"].endswith("…")
        assert max(len(name) for name in labels) == 1024
        assert len(annotations["description"]) == 10_000 and annotations["runbook"] == "nul \ufffd in it"
        assert len(json.dumps(row.payload)) < 30_000
    assert all(incident(bot, n).channel_id for n in range(1, 5))
    assert len(incident(bot, 1).title) <= 200
