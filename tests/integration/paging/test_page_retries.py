"""A page Slack refuses is retried until it goes through, never dropped (issue 7, item 3)."""

from datetime import timedelta

import pytest

from models import PageNotification
from tests.integration.helpers import declare, incident
from tests.integration.paging.test_paging import ON_CALL, pages_to, run_due

NO_RENOTIFY = {**ON_CALL, "escalation_policies": {"default": {**ON_CALL["escalation_policies"]["default"],
                                                              "renotify_every": None}}}


def to(user: str):
    return lambda args: args.get("channel") == user


def tries(fake, user: str) -> list:
    return [c for c in fake.calls_to("chat.postMessage") if c.args.get("channel") == user]


def notifications(bot, user: str) -> list[PageNotification]:
    return [n for page in incident(bot).pages for n in page.notifications if n.user_id == user]


def timeline(bot) -> list[str]:
    return [e.text for e in incident(bot).events]


@pytest.fixture
def bot(make_bot):
    return make_bot(config=NO_RENOTIFY)


def test_an_outage_delays_a_page_it_does_not_drop_it(bot, fake_slack):
    fake_slack.fail("chat.postMessage", status=500, times=6, when=to("U01ALICE"))  # two attempts, each retried by the SDK
    declare(bot)
    run_due(bot)
    assert pages_to(fake_slack, "U01ALICE") == []
    run_due(bot, timedelta(seconds=5))
    assert pages_to(fake_slack, "U01ALICE") == []
    run_due(bot, timedelta(seconds=15))
    assert len(pages_to(fake_slack, "U01ALICE")) == 1
    [sent] = notifications(bot, "U01ALICE")
    assert (sent.sent_at, sent.failures, sent.error) == (bot.clock.now(), 2, None)
    assert [t for t in timeline(bot) if "U01ALICE" in t and "page" in t.lower()] == [
        "Paged <@U01ALICE>: level 1 of `default` (declared sev1)",
        "Could not page <@U01ALICE> yet: HTTP 500. Retrying until Slack takes it",
        "Paged <@U01ALICE> after 2 failed attempts",
    ]
    run_due(bot, timedelta(minutes=1))
    assert len(pages_to(fake_slack, "U01ALICE")) == 1, "delivered once"


def test_retrying_stops_when_the_page_is_acknowledged(bot, fake_slack):
    fake_slack.fail("chat.postMessage", status=500, times=30, when=to("U01ALICE"))
    row = declare(bot)
    run_due(bot)
    bot.ctx.incidents.acknowledge(row.id, "U02BOB")
    for wait in (5, 15, 30, 60):
        run_due(bot, timedelta(seconds=wait))
    assert len(tries(fake_slack, "U01ALICE")) == 3, "one attempt (the SDK's three calls), none after the ack"


def test_retrying_stops_when_the_page_escalates(bot, fake_slack):
    fake_slack.fail("chat.postMessage", status=500, times=300, when=to("U01ALICE"))
    declare(bot)
    for _ in range(8):
        run_due(bot, timedelta(minutes=1))
    assert len(pages_to(fake_slack, "U04DAVE")) == 1, "level 2 after level 1's 5 minutes"
    tried = len(tries(fake_slack, "U01ALICE"))
    run_due(bot, timedelta(minutes=5))
    assert len(tries(fake_slack, "U01ALICE")) == tried


def test_a_person_slack_cannot_reach_is_given_up_and_said(bot, fake_slack):
    fake_slack.fail("chat.postMessage", "channel_not_found", when=to("U01ALICE"))
    declare(bot)
    run_due(bot)
    [given_up] = notifications(bot, "U01ALICE")
    assert (given_up.sent_at, given_up.error) == (None, "channel_not_found")
    assert any(t.startswith("Could not page <@U01ALICE>: channel_not_found. Not retried") for t in timeline(bot))
    run_due(bot, timedelta(seconds=5))
    assert len(tries(fake_slack, "U01ALICE")) == 1
