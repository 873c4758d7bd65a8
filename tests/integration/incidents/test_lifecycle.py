"""Moving an incident to resolution, reopening it, notes, severity, list, help and the timeline."""

from datetime import timedelta

from bot.core.markup import plain
from bot.slack.ids import Action
from models import Status
from tests.integration.helpers import announcement, channel_posts, declare, in_channel, incident, rendered, summary


def test_status_moves_are_recorded_with_who_and_when(bot, fake_slack):
    row = declare(bot)
    bot.clock.advance(timedelta(minutes=10))
    assert in_channel(bot, "status identified", row)["text"] == "INC-1 is now *identified*."
    bot.clock.advance(timedelta(minutes=10))
    in_channel(bot, "status mitigated", row, user="U02BOB")
    mitigated_at = bot.clock.now()
    bot.clock.advance(timedelta(minutes=25))
    answer = in_channel(bot, "resolve Rolled back the deploy", row)
    assert answer["text"] == "INC-1 is resolved."

    row = incident(bot)
    assert row.status == Status.RESOLVED
    assert row.mitigated_at == mitigated_at and row.resolved_at == bot.clock.now()
    assert row.resolution_summary == "Rolled back the deploy"
    kinds = [(e.kind, e.actor) for e in row.events]
    assert kinds[-3:] == [("status_changed", "U01ALICE"), ("status_changed", "U02BOB"), ("resolved", "U01ALICE")]
    assert all(e.at.tzinfo is not None for e in row.events)
    posts = channel_posts(bot, fake_slack)
    assert "<@U01ALICE> moved INC-1 from investigating to identified" in posts
    assert any("marked INC-1 mitigated" in p for p in posts)
    assert ("<@U01ALICE> resolved INC-1 after 45m (mitigated after 20m, then fixed): Rolled back the deploy"
            in posts)
    assert "Resolved* (mitigated, then fixed)" in rendered(summary(bot, fake_slack)["blocks"])
    assert "Resolved" in rendered(announcement(bot, fake_slack)["blocks"])


def test_resolving_without_mitigation_says_it_was_fixed(bot, fake_slack):
    row = declare(bot)
    bot.clock.advance(timedelta(hours=1, minutes=12))
    in_channel(bot, "status resolved", row)
    assert "<@U01ALICE> resolved INC-1 after 1h 12m (fixed without a separate mitigation)" in channel_posts(bot, fake_slack)
    assert "Resolved* (fixed)" in rendered(summary(bot, fake_slack)["blocks"])
    assert summary(bot, fake_slack)["blocks"][-1]["type"] != "actions", "a resolved incident has no buttons"


def test_the_resolve_button(bot, fake_slack):
    row = declare(bot)
    bot.click(Action.RESOLVE, row.id, user="U02BOB")
    bot.settle()
    assert incident(bot).status == Status.RESOLVED
    assert any(p.startswith("<@U02BOB> resolved INC-1") for p in channel_posts(bot, fake_slack))


def test_a_resolved_incident_reopens_loudly(bot, fake_slack):
    row = declare(bot)
    in_channel(bot, "resolve", row)
    assert "already" in in_channel(bot, "resolve", row)["text"]

    answer = in_channel(bot, "status investigating", row, user="U02BOB")
    assert answer["text"] == "INC-1 is now *investigating*."
    row = incident(bot)
    assert row.status == Status.INVESTIGATING and row.resolved_at is None
    assert "<@U02BOB> reopened INC-1: it is investigating again" in channel_posts(bot, fake_slack)
    assert "Investigating" in rendered(announcement(bot, fake_slack)["blocks"])
    assert row.events[-1].kind == "reopened"


def test_a_mitigation_that_stops_holding_is_said(bot, fake_slack):
    row = declare(bot)
    in_channel(bot, "status mitigated", row)
    in_channel(bot, "status identified", row)
    assert incident(bot).mitigated_at is None
    assert "<@U01ALICE> moved INC-1 from mitigated back to identified: the mitigation no longer holds" in channel_posts(bot, fake_slack)


def test_notes_go_to_the_timeline_and_the_channel(bot, fake_slack):
    row = declare(bot)
    answer = in_channel(bot, "note Error rate back to 0.1% after the rollback", row, user="U02BOB")
    assert answer["text"] == "Added to the timeline of INC-1."
    note = incident(bot).events[-1]
    assert (note.kind, note.actor, note.text) == ("note", "U02BOB", "Error rate back to 0.1% after the rollback")
    assert "<@U02BOB> noted: Error rate back to 0.1% after the rollback" in channel_posts(bot, fake_slack)


def test_a_downgrade_is_announced_as_one(bot, fake_slack):
    row = declare(bot, "declare sev1 Checkout is down")
    answer = in_channel(bot, "sev sev2 only EU cards affected", row, user="U02BOB")
    assert answer["text"] == "INC-1 is now sev2."
    assert "INC-1 downgraded from sev1 to sev2 by <@U02BOB>: only EU cards affected" in channel_posts(bot, fake_slack)
    event = incident(bot).events[-1]
    assert event.data == {"from": "sev1", "to": "sev2", "reason": "only EU cards affected", "downgrade": True}
    assert "SEV2 (Major)" in rendered(summary(bot, fake_slack)["blocks"])
    in_channel(bot, "sev sev1", row)
    assert "INC-1 raised from sev2 to sev1 by <@U01ALICE>" in channel_posts(bot, fake_slack)


def test_list_shows_only_open_incidents_most_severe_first(bot, fake_slack):
    declare(bot, "declare sev3 Search is slow")
    declare(bot, "declare sev1 Checkout is down")
    resolved = declare(bot, "declare sev2 Login flaky")
    in_channel(bot, "resolve", resolved)
    answer = bot.command("list").json()
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("2 open incidents:")
    assert answer["text"].index("INC-2") < answer["text"].index("INC-1")
    assert "INC-3" not in answer["text"]


def test_list_when_all_is_quiet(bot):
    assert bot.command("list").json()["text"] == "No open incidents. :tada:"


def test_help_lists_the_commands(bot):
    text = plain(bot.command("help").json()["text"])
    for command in ["declare [sevN] <title>", "status <investigating|identified|mitigated|resolved>", "resolve [summary]",
                    "note <text>", "ic @user", "comms @user", "list", "sev <sevN> [reason]", "timeline", "ack",
                    "update <text>", "page <service|@user>", "escalate", "oncall [schedule]",
                    "oncall override @user <4h|until fri 18:00> [schedule]"]:
        assert command in text


def test_timeline_is_posted_in_order_in_the_configured_zone(make_bot, fake_slack):
    bot = make_bot(config={"timezone": "Europe/Rome"})
    row = declare(bot)
    bot.clock.advance(timedelta(minutes=1))
    in_channel(bot, "note first", row)
    bot.clock.advance(timedelta(minutes=1))
    in_channel(bot, "status mitigated", row)
    response = bot.command("timeline", channel=row.channel_id)
    assert response.status == 200
    bot.settle()
    post = fake_slack.messages(row.channel_id)[-1]
    assert post["text"] == "Timeline of INC-1"
    text = rendered(post["blocks"])
    assert "Timeline of INC-1 (Europe/Rome)" in text
    assert "`Mon 23 Nov 10:00:00`" in text and "`Mon 23 Nov 10:02:00`" in text  # 09:00 UTC is 10:00 in Rome
    assert text.index("declared INC-1") < text.index("first") < text.index("marked INC-1 mitigated")
