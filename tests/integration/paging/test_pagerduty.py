"""The PagerDuty bridge: a page triggers a PagerDuty alert (the incident as dedup_key), the
acknowledgement and the resolution follow it; PagerDuty's signed webhook acknowledges here."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest

from models import Role
from tests.driver import http
from tests.fakeproviders.pagerduty import ROUTING_KEY
from tests.integration.helpers import channel_posts, declare, in_channel, incident
from tests.integration.paging.test_wake import CONFIG, run_due

SECRET = "pd-webhook-secret"


@pytest.fixture
def pd_bot(make_bot, providers, pagerduty_server):
    return make_bot(config=CONFIG, **providers, PAGERDUTY_ROUTING_KEY=ROUTING_KEY, PAGERDUTY_WEBHOOK_SECRET=SECRET,
                    PAGERDUTY_EVENTS_URL=pagerduty_server.url)


def webhook(bot, event: dict, secret: str = SECRET):
    body = json.dumps({"event": event}).encode()
    signature = "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return http("POST", f"{bot.url}/webhooks/pagerduty", body,
                {"Content-Type": "application/json", "X-PagerDuty-Signature": f"v1=0000, {signature}"})


def acknowledged_in_pagerduty(name: str = "Alice Rossi") -> dict:
    return {"id": "01ABCDEF", "event_type": "incident.acknowledged", "resource_type": "incident",
            "occurred_at": "2026-11-23T09:01:00Z",
            "agent": {"id": "PUSER1", "type": "user_reference", "summary": name},
            "data": {"id": "PINC1", "type": "incident", "number": 7, "status": "acknowledged", "incident_key": "INC-1",
                     "title": "INC-1 (sev1): Checkout is down"}}


def test_page_triggers_ack_and_resolve_follow(pd_bot, pagerduty_server):
    bot = pd_bot
    row = declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    run_due(bot)
    [trigger] = pagerduty_server.events
    assert (trigger["event_action"], trigger["dedup_key"], trigger["routing_key"]) == ("trigger", "INC-1", ROUTING_KEY)
    assert trigger["payload"]["severity"] == "critical" and "Checkout is down" in trigger["payload"]["summary"]
    in_channel(bot, "ack", row, user="U01ALICE")
    run_due(bot)
    in_channel(bot, "resolve fixed", row, user="U01ALICE")
    run_due(bot)
    assert [e["event_action"] for e in pagerduty_server.events] == ["trigger", "acknowledge", "resolve"]
    assert {e["dedup_key"] for e in pagerduty_server.events} == {"INC-1"}


def test_a_pagerduty_outage_is_retried_and_ack_waits_for_the_trigger(pd_bot, pagerduty_server):
    bot = pd_bot
    row = declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    pagerduty_server.fail(502, times=1)
    run_due(bot)
    run_due(bot)  # the trigger failed once: due again after the retry ladder's wait
    in_channel(bot, "ack", row, user="U01ALICE")
    run_due(bot)
    assert pagerduty_server.events == []
    run_due(bot, timedelta(seconds=20))
    run_due(bot, timedelta(seconds=20))
    assert [e["event_action"] for e in pagerduty_server.events] == ["trigger", "acknowledge"]


def test_acknowledged_in_pagerduty_acknowledges_here_without_a_role(pd_bot, fake_slack):
    bot = pd_bot
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    answer = webhook(bot, acknowledged_in_pagerduty())
    assert answer.status == 200, answer.body
    row = incident(bot)
    assert row.acknowledged_by == "PagerDuty: Alice Rossi"
    assert row.holder(Role.COMMANDER) == "U02BOB" and {a.user_id for a in row.roles} == {"U02BOB"}, "PagerDuty takes no role"
    bot.settle()
    assert any(p.startswith("PagerDuty: Alice Rossi acknowledged INC-1") for p in channel_posts(bot, fake_slack))
    run_due(bot, timedelta(minutes=40))
    assert not fake_slack.messages("U04DAVE"), "level 2 is not paged after PagerDuty's acknowledgement"


def test_a_forged_pagerduty_webhook_is_refused(pd_bot):
    bot = pd_bot
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    assert webhook(bot, acknowledged_in_pagerduty(), secret="wrong").status == 403
    unsigned = http("POST", f"{bot.url}/webhooks/pagerduty", b'{"event": {}}', {"Content-Type": "application/json"})
    assert unsigned.status == 403
    assert incident(bot).acknowledged_at is None
    other = {**acknowledged_in_pagerduty(), "event_type": "incident.annotated"}
    assert webhook(bot, other).status == 202
