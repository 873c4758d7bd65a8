"""A page Slack refuses is retried until it goes through, never dropped (issue 7, item 3)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.slack.budget import POST_BURST
from models import PageNotification
from models.timer import Timer
from tests.integration.helpers import declare, incident, rendered
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


def test_pages_to_one_person_past_slacks_pace_wait_their_turns_oldest_first(bot, fake_slack):
    """Slack takes about a post a second in a DM: with its burst spent, three incidents' pages to one
    person are each told their own turn, the oldest first, and each goes at its turn, tried once
    more, not every second in no order (100 pages asked again 2,400 times in bench/pages.py)."""
    for n in range(3):
        declare(bot, f"declare sev1 Outage {n + 1}")
    for _ in range(POST_BURST):
        assert bot.ctx.gateway.client.budget.take("chat.postMessage", "U01ALICE") == 0.0
    run_due(bot)

    with bot.ctx.sessions() as session:
        waiting = session.scalars(select(Timer).where(Timer.kind == "page.level", Timer.attempts > 0)
                                  .order_by(Timer.id)).all()  # level 1's, not the escalations due later
    assert [(t.due_at - bot.clock.now()).total_seconds() for t in waiting] == [1.0, 2.0, 3.0]
    for turn in range(3):
        run_due(bot, timedelta(seconds=1))
        sent = pages_to(fake_slack, "U01ALICE")
        assert len(sent) == turn + 1, f"one page at each turn ({turn + 1})"
    assert [page["text"].split("You are paged for ")[1].split(" ")[0] for page in sent] == ["INC-1", "INC-2", "INC-3"]
    with bot.ctx.sessions() as session:
        runs = session.scalars(select(Timer.attempts).where(Timer.id.in_([t.id for t in waiting]))
                               .order_by(Timer.id)).all()
    assert runs == [2, 2, 2]


def test_retrying_stops_when_the_page_is_acknowledged(bot, fake_slack):
    fake_slack.fail("chat.postMessage", status=500, times=30, when=to("U01ALICE"))
    row = declare(bot)
    run_due(bot)
    bot.ctx.incidents.acknowledge(row.id, "U02BOB")
    for wait in (5, 15, 30, 60):
        run_due(bot, timedelta(seconds=wait))
    assert len(tries(fake_slack, "U01ALICE")) == 3, "one attempt (the SDK's three calls), none after the ack"


def test_a_page_slack_could_not_take_before_its_level_escalated_goes_late(bot, fake_slack):
    fake_slack.fail("chat.postMessage", status=500, times=18, when=to("U01ALICE"))  # 6 attempts of the SDK's 3
    declare(bot)
    for _ in range(6):  # an attempt at each minute up to 6 (the ladder caps at one a minute): level 2 at 5
        run_due(bot, timedelta(minutes=1))
    assert len(pages_to(fake_slack, "U04DAVE")) == 1, "level 2 after level 1's 5 minutes"
    assert pages_to(fake_slack, "U01ALICE") == []
    run_due(bot, timedelta(minutes=1))
    [late] = pages_to(fake_slack, "U01ALICE")
    assert "Late: this page was due at" in rendered(late["blocks"]) and "still paged" in rendered(late["blocks"])
    assert any(t.startswith("Paged <@U01ALICE> late") for t in timeline(bot))
    run_due(bot, timedelta(minutes=5))
    assert len(pages_to(fake_slack, "U01ALICE")) == 1, "once"


SHORT = {**ON_CALL, "escalation_policies": {"default": {"renotify_every": "3s", "levels": [
    {"notify": [{"schedule": "primary"}], "escalate_after": "6s"}, {"notify": [{"schedule": "secondary"}]}]}}}


@pytest.mark.parametrize("renotify, escalate, outage", [("3s", "6s", 8), (None, "4s", 4)])
def test_level_1_is_paged_after_a_short_slack_outage(make_bot, fake_slack, clock, renotify, escalate, outage):
    levels = SHORT["escalation_policies"]["default"]["levels"]
    config = {**SHORT, "escalation_policies": {"default": {"renotify_every": renotify, "levels": [
        {**levels[0], "escalate_after": escalate}, levels[1]]}}}
    bot = make_bot(config=config)
    ends = clock.now() + timedelta(seconds=outage)
    fake_slack.fail("chat.postMessage", status=500, times=10_000, when=lambda args: clock.now() < ends)
    declare(bot)
    for _ in range(40):
        run_due(bot, timedelta(seconds=1))
    level_1, level_2 = pages_to(fake_slack, "U01ALICE"), pages_to(fake_slack, "U04DAVE")
    assert len(level_1) == 1 or renotify and level_1, "level 1 is paged once the outage is over"
    assert "Late:" in rendered(level_1[0]["blocks"]) or not renotify
    assert len(level_2) <= 40 // 3 + 1, "level 2 gets its page and its renotifies, no more"
    keys = [m["metadata"]["event_payload"]["key"] for m in level_1 + level_2]
    assert len(keys) == len(set(keys)), "no notification twice"


def test_a_person_slack_cannot_reach_is_given_up_and_said(bot, fake_slack):
    fake_slack.fail("chat.postMessage", "channel_not_found", when=to("U01ALICE"))
    declare(bot)
    run_due(bot)
    [given_up] = notifications(bot, "U01ALICE")
    assert (given_up.sent_at, given_up.error) == (None, "channel_not_found")
    assert any(t.startswith("Could not page <@U01ALICE>: channel_not_found. Not retried") for t in timeline(bot))
    run_due(bot, timedelta(seconds=5))
    assert len(tries(fake_slack, "U01ALICE")) == 1
