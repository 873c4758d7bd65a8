"""Incident Commander and Communication Lead: who holds them, hand-overs, and the history."""

from datetime import timedelta

from sqlalchemy import select

from bot.slack.ids import Action
from models import Role, RoleAssignment
from tests.integration.helpers import button_ids, channel_posts, declare, in_channel, incident, rendered, summary


def test_a_big_incident_asks_loudly_for_a_communication_lead(bot, fake_slack):
    row = declare(bot, "declare sev1 Checkout is down")
    assert row.holder(Role.COMMANDER) == "U01ALICE" and row.holder(Role.COMMS_LEAD) is None
    blocks = summary(bot, fake_slack)["blocks"]
    assert "sev1 needs a Communication Lead" in rendered(blocks)
    assert Action.TAKE_COMMS in button_ids(blocks)

    bot.click(Action.TAKE_COMMS, row.id, user="U02BOB")
    bot.settle()
    row = incident(bot)
    assert row.holder(Role.COMMS_LEAD) == "U02BOB"
    blocks = summary(bot, fake_slack)["blocks"]
    assert "needs a Communication Lead" not in rendered(blocks)
    assert Action.TAKE_COMMS not in button_ids(blocks)
    assert "<@U02BOB> is now the Communication Lead" in channel_posts(bot, fake_slack)
    assert "U02BOB" in fake_slack.channels[row.channel_id]["members"]


def test_the_commander_cannot_also_talk_when_the_severity_wants_two_people(bot, fake_slack):
    row = declare(bot, "declare sev1 Checkout is down")
    bot.click(Action.TAKE_COMMS, row.id, user="U01ALICE")
    bot.settle()
    assert incident(bot).holder(Role.COMMS_LEAD) is None
    answer = fake_slack.responses[-1]
    assert "needs a Communication Lead other than the Incident Commander" in answer["text"]
    assert answer["response_type"] == "ephemeral"


def test_taking_a_held_role_says_who_has_it(bot, fake_slack):
    row = declare(bot, "declare sev1 Checkout is down")
    bot.click(Action.TAKE_COMMS, row.id, user="U02BOB")
    bot.settle()
    bot.click(Action.TAKE_COMMS, row.id, user="U03CAROL")
    bot.settle()
    assert incident(bot).holder(Role.COMMS_LEAD) == "U02BOB"
    assert "<@U02BOB> is already the Communication Lead" in fake_slack.responses[-1]["text"]


def test_handing_over_is_announced_recorded_and_invites(bot, fake_slack):
    row = declare(bot, "declare sev3 Search is slow")
    bot.clock.advance(timedelta(minutes=5))
    answer = in_channel(bot, "ic <@U02BOB|bob>", row)
    assert answer["text"] == "<@U02BOB> is now the Incident Commander of INC-1."
    answer = in_channel(bot, "comms <@U03CAROL|carol>", row)
    assert "Communication Lead" in answer["text"]

    row = incident(bot)
    assert row.holder(Role.COMMANDER) == "U02BOB" and row.holder(Role.COMMS_LEAD) == "U03CAROL"
    posts = channel_posts(bot, fake_slack)
    assert "<@U01ALICE> handed the Incident Commander role to <@U02BOB>" in posts
    assert "<@U01ALICE> handed the Communication Lead role to <@U03CAROL>" in posts
    assert {"U02BOB", "U03CAROL"} <= set(fake_slack.channels[row.channel_id]["members"])
    assert "<@U02BOB>" in fake_slack.channels[row.channel_id]["topic"]

    with bot.ctx.sessions() as session:
        history = session.execute(select(RoleAssignment.role, RoleAssignment.user_id, RoleAssignment.ended_at)
                                  .where(RoleAssignment.role == Role.COMMANDER).order_by(RoleAssignment.id)).all()
    assert [(r, u) for r, u, _ in history] == [(Role.COMMANDER, "U01ALICE"), (Role.COMMANDER, "U02BOB")]
    assert history[0].ended_at == bot.clock.now() and history[1].ended_at is None


def test_acknowledge_records_who_and_when(bot, fake_slack):
    row = declare(bot)
    declared = bot.clock.now()
    bot.clock.advance(timedelta(minutes=3))
    bot.click(Action.ACKNOWLEDGE, row.id, user="U02BOB")
    bot.settle()
    row = incident(bot)
    assert row.acknowledged_by == "U02BOB" and row.acknowledged_at - declared == timedelta(minutes=3)
    assert Action.ACKNOWLEDGE not in button_ids(summary(bot, fake_slack)["blocks"])
    assert "<@U02BOB> acknowledged INC-1 (3m after it was declared)" in channel_posts(bot, fake_slack)
    assert row.holder(Role.COMMANDER) == "U01ALICE"  # the role was taken: the acknowledger does not take it

    bot.click(Action.ACKNOWLEDGE, row.id, user="U03CAROL")
    bot.settle()
    assert incident(bot).acknowledged_by == "U02BOB"
    assert "already acknowledged by <@U02BOB>" in fake_slack.responses[-1]["text"]


def test_the_acknowledger_becomes_commander_when_nobody_is(bot, fake_slack):
    row = declare(bot)
    with bot.ctx.sessions() as session, session.begin():
        for assignment in session.scalars(select(RoleAssignment)):
            assignment.ended_at = bot.clock.now()
    answer = in_channel(bot, "ack", row, user="U04DAVE")
    assert answer["text"] == "You acknowledged INC-1."
    assert incident(bot).holder(Role.COMMANDER) == "U04DAVE"
    assert "U04DAVE" in fake_slack.channels[row.channel_id]["members"]
