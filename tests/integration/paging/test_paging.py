"""Paging through the fake Slack: level 1, renotify, level 2, acknowledgement, and silence after it."""

from datetime import timedelta

import pytest

from bot.slack.ids import Action
from models import PageState, Role
from tests.integration.helpers import channel_posts, declare, in_channel, incident, rendered, summary

ON_CALL = {
    "schedules": {
        "primary": {"rotation": "weekly", "handoff": "mon 09:00", "members": ["U01ALICE"]},
        "secondary": {"rotation": "weekly", "handoff": "mon 09:00", "members": ["U04DAVE"]},
    },
    "escalation_policies": {"default": {"renotify_every": "2m", "levels": [
        {"notify": [{"schedule": "primary", "role": "commander"}], "escalate_after": "5m"},
        {"notify": [{"schedule": "secondary"}], "escalate_after": "15m"},
        {"notify": [{"user": "U03CAROL"}]},
    ]}},
    "services": {"checkout": {"escalation_policy": "default"}},
}


@pytest.fixture
def paging_bot(make_bot):
    return make_bot(config=ON_CALL, WEBHOOK_TOKEN="hook-token")


def pages_to(fake, user: str) -> list[dict]:
    """DMs to ``user`` that page them (they carry the Acknowledge button)."""
    return [m for m in fake.messages(user) if Action.ACKNOWLEDGE in rendered(m["blocks"])]


def run_due(bot, after: timedelta = timedelta(0)) -> None:
    bot.clock.advance(after)
    bot.ctx.timer_worker.tick()
    bot.settle()


def test_level_1_then_renotify_then_level_2_then_ack_then_silence(paging_bot, fake_slack):
    bot = paging_bot
    row = declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    [page] = pages_to(fake_slack, "U01ALICE")
    assert "You are paged for INC-1 (sev1): Checkout is down" in page["text"]
    assert f"<#{row.channel_id}>" in rendered(page["blocks"])
    assert "Paged <@U01ALICE>: level 1 of `default` (declared sev1)" in channel_posts(bot, fake_slack)
    assert "Paging `default`, level 1, nobody has acknowledged yet" in rendered(summary(bot, fake_slack)["blocks"])

    run_due(bot, timedelta(minutes=2))
    assert len(pages_to(fake_slack, "U01ALICE")) == 2
    assert "You are paged (again: nobody has acknowledged yet)" in pages_to(fake_slack, "U01ALICE")[-1]["text"]

    run_due(bot, timedelta(minutes=3))  # the renotify at 4m, then level 2 at 5m
    assert len(pages_to(fake_slack, "U01ALICE")) == 3
    assert len(pages_to(fake_slack, "U04DAVE")) == 1
    assert "Paged <@U04DAVE>: level 2 of `default` (declared sev1)" in channel_posts(bot, fake_slack)

    bot.click(Action.ACKNOWLEDGE, row.id, user="U04DAVE", channel="D04DAVE")
    bot.settle()
    row = incident(bot)
    assert row.acknowledged_by == "U04DAVE"
    assert [p.state for p in row.pages] == [PageState.ACKNOWLEDGED]
    assert "U04DAVE" in fake_slack.channels[row.channel_id]["members"]
    assert "acknowledged by <@U04DAVE>" in rendered(summary(bot, fake_slack)["blocks"])
    assert "<@U01ALICE> (L1, 3×), <@U04DAVE> (L2)" in rendered(summary(bot, fake_slack)["blocks"])

    paged = [len(pages_to(fake_slack, user)) for user in ("U01ALICE", "U04DAVE", "U03CAROL")]
    for _ in range(5):
        run_due(bot, timedelta(minutes=10))
    assert [len(pages_to(fake_slack, user)) for user in ("U01ALICE", "U04DAVE", "U03CAROL")] == paged, \
        "nobody is paged after the acknowledgement"
    kinds = [e.kind for e in incident(bot).events]
    assert kinds.count("paged") == 2 and kinds.count("renotified") == 2 and "acknowledged" in kinds


def test_the_acknowledger_takes_the_role_their_page_names(paging_bot, fake_slack):
    bot = paging_bot
    response = bot.webhook("generic", {"title": "Checkout 5xx", "dedup_key": "k1", "status": "firing"})
    assert response.status == 202
    bot.settle()
    run_due(bot, timedelta(minutes=2))
    row = incident(bot)
    assert row.holder(Role.COMMANDER) is None
    in_channel(bot, "ack", row, user="U01ALICE")
    assert incident(bot).holder(Role.COMMANDER) == "U01ALICE"


def test_after_escalating_only_the_new_level_is_renotified(paging_bot, fake_slack):
    bot = paging_bot
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    for _ in range(5):  # 1 minute at a time up to 5m: level 1 renotified at 2m and 4m, level 2 at 5m
        run_due(bot, timedelta(minutes=1))
    assert (len(pages_to(fake_slack, "U01ALICE")), len(pages_to(fake_slack, "U04DAVE"))) == (3, 1)
    for _ in range(4):  # up to 9m: only level 2 is renotified, at 7m and 9m
        run_due(bot, timedelta(minutes=1))
    assert (len(pages_to(fake_slack, "U01ALICE")), len(pages_to(fake_slack, "U04DAVE"))) == (3, 3)


def test_page_a_person_until_they_acknowledge(paging_bot, fake_slack):
    bot = paging_bot
    row = declare(bot, "declare sev3 Search is slow", user="U02BOB")
    assert in_channel(bot, "page <@U03CAROL|carol>", row, user="U02BOB")["text"] == (
        "Paging <@U03CAROL> for INC-1 until they acknowledge.")
    run_due(bot)
    run_due(bot, timedelta(minutes=2))
    assert len(pages_to(fake_slack, "U03CAROL")) == 2
    in_channel(bot, "ack", row, user="U03CAROL")
    run_due(bot, timedelta(minutes=10))
    assert len(pages_to(fake_slack, "U03CAROL")) == 2
    assert "<@U03CAROL> acknowledged" in " ".join(channel_posts(bot, fake_slack))


def test_page_a_service_and_escalate_at_once(paging_bot, fake_slack):
    bot = paging_bot
    row = declare(bot, "declare sev3 Search is slow", user="U02BOB")
    in_channel(bot, "page checkout", row, user="U02BOB")
    run_due(bot)
    assert len(pages_to(fake_slack, "U01ALICE")) == 1
    assert in_channel(bot, "escalate", row, user="U01ALICE")["text"] == "Paging the next level for INC-1 now."
    run_due(bot)
    assert len(pages_to(fake_slack, "U04DAVE")) == 1
    assert "<@U01ALICE> escalated INC-1 to level 2" in channel_posts(bot, fake_slack)


def test_paging_mistakes(paging_bot, fake_slack):
    bot = paging_bot
    row = declare(bot, "declare sev3 Search is slow", user="U02BOB")
    assert "Nobody has been paged for INC-1 yet" in in_channel(bot, "escalate", row)["text"]
    assert "`payments` is neither a person nor a known service (checkout)" in in_channel(bot, "page payments", row)["text"]
    assert "Say whom to page." in in_channel(bot, "page", row)["text"]


def test_resolving_stops_the_paging(paging_bot, fake_slack):
    bot = paging_bot
    row = declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    in_channel(bot, "resolve", row, user="U02BOB")
    for _ in range(4):
        run_due(bot, timedelta(minutes=5))
    assert len(pages_to(fake_slack, "U01ALICE")) == 1
    assert pages_to(fake_slack, "U04DAVE") == []


def test_low_urgency_waits_for_business_hours_unless_raised(paging_bot, fake_slack):
    bot = paging_bot
    bot.clock.set(bot.clock.now().replace(hour=22))  # Monday 22:00 UTC: business hours (UTC) are over
    row = declare(bot, "declare sev4 Report export slow", user="U02BOB")
    run_due(bot)
    assert pages_to(fake_slack, "U01ALICE") == []
    assert "waits for business hours" in rendered(summary(bot, fake_slack)["blocks"])
    assert any("paging waits for business hours (Tue 09:00 UTC)" in p for p in channel_posts(bot, fake_slack))

    in_channel(bot, "sev sev2 customers are affected after all", row, user="U02BOB")
    run_due(bot)
    assert len(pages_to(fake_slack, "U01ALICE")) == 1


def test_without_paging_set_up_declaring_says_nothing_of_it(bot, fake_slack):
    declare(bot, "declare sev1 Checkout is down")
    assert channel_posts(bot, fake_slack) == []
    assert "Paging is not set up" in in_channel(bot, "page <@U02BOB|bob>", incident(bot))["text"]


def test_a_policy_that_is_not_configured_is_said(make_bot, fake_slack):
    config = {**ON_CALL, "escalation_policies": {"platform": ON_CALL["escalation_policies"]["default"]},
              "services": {"checkout": {"escalation_policy": "platform"}}}
    bot = make_bot(config=config)
    declare(bot, "declare sev1 Checkout is down")
    assert "Nobody was paged (declared sev1): no escalation policy `default` is configured" in channel_posts(bot, fake_slack)


def test_a_level_whose_schedule_is_in_a_gap_escalates_at_once(make_bot, fake_slack):
    daytime = {"days": "mon-sun", "start": "09:00", "end": "18:00"}
    gappy = {**ON_CALL, "schedules": {**ON_CALL["schedules"], "primary": {"layers": [
        {"name": "days", "rotation": "weekly", "handoff": "mon 09:00", "members": ["U01ALICE"], "hours": daytime}]}}}
    bot = make_bot(config=gappy)
    bot.clock.set(bot.clock.now().replace(hour=20))  # after the day layer's hours: primary is in a gap
    declare(bot, "declare sev1 Checkout is down at night", user="U02BOB")
    run_due(bot)
    run_due(bot)  # level 2, due at once
    assert pages_to(fake_slack, "U01ALICE") == []
    assert len(pages_to(fake_slack, "U04DAVE")) == 1, "level 2 paged without waiting level 1's 5m"
    posts = channel_posts(bot, fake_slack)
    assert "Paged nobody (no one on call): level 1 of `default` (declared sev1)" in posts
    said = ("No one is on call at level 1 of `default` (`primary` in a gap): escalating to level 2 now "
            "instead of after 5m")
    assert posts.index(said) < posts.index("Paged <@U04DAVE>: level 2 of `default` (declared sev1)")


def test_a_level_with_someone_on_call_waits_its_escalate_after(paging_bot, fake_slack):
    declare(paging_bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(paging_bot)
    run_due(paging_bot, timedelta(minutes=4))
    assert pages_to(fake_slack, "U04DAVE") == []
    assert "No one is on call" not in channel_posts(paging_bot, fake_slack)
