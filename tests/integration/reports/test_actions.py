"""Action items: filed by command or form, owned (by the commander unless someone is named), listed,
done, and followed up by DM when assigned, the business day before they are due and once overdue."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.slack.ids import Action
from bot.slack.ids import View as ViewId
from models import ActionItem, Delivery
from tests.integration.helpers import button_ids, channel_posts, declare, in_channel, incident, rendered
from tests.integration.reports.helpers import add_action_with_form, run_due


def items(bot) -> list[ActionItem]:
    with bot.ctx.sessions() as session:
        return list(session.scalars(select(ActionItem).order_by(ActionItem.id)))


def dms(fake, user: str, start: str) -> list[dict]:
    return [m for m in fake.messages(user) if m["text"].startswith(start)]


def test_an_action_item_by_command_with_owner_priority_and_due_date(bot, fake_slack):
    row = declare(bot, "declare sev2 Checkout is slow")  # Monday 23 Nov 2026
    answer = in_channel(bot, "action Add an EU canary for the payment client <@U02BOB|bob> p1 due fri", row)
    assert answer["text"] == "Added action item 1 to INC-1 for <@U02BOB> (P1, due Fri 27 Nov 2026)."
    [item] = items(bot)
    assert (item.number, item.text, item.owner, item.priority, item.type, item.due_on, item.created_by) == (
        1, "Add an EU canary for the payment client", "U02BOB", "p1", None, date(2026, 11, 27), "U01ALICE")
    [told] = fake_slack.messages("U02BOB")
    assert told["text"].startswith(":white_check_mark: You own action item 1 of INC-1: Add an EU canary for the "
                                   "payment client (P1, due Fri 27 Nov 2026).")
    assert button_ids(told["blocks"]) == [Action.ACTION_DONE]
    assert any("added action item 1 for <@U02BOB> (p1, due Fri 27 Nov)" in p for p in channel_posts(bot, fake_slack))


def test_without_an_owner_the_commander_owns_it_and_nobody_is_told_what_they_did_themselves(bot, fake_slack):
    row = declare(bot, "declare sev2 Checkout is slow")
    in_channel(bot, "ic <@U03CAROL|carol>", row)
    in_channel(bot, "action Write the rollback runbook", row)
    in_channel(bot, "action Review the alert thresholds", row, user="U03CAROL")
    first, second = items(bot)
    assert (first.owner, first.priority, first.due_on) == ("U03CAROL", "p2", None)
    assert second.owner == "U03CAROL"
    assert len(dms(fake_slack, "U03CAROL", ":white_check_mark: You own action item")) == 1, "the second she filed herself"


def test_the_resolution_message_opens_the_report_and_action_item_forms(bot, fake_slack):
    row = declare(bot, "declare sev2 Checkout is slow")
    in_channel(bot, "ic <@U02BOB|bob>", row)
    in_channel(bot, "resolve Rolled back", row)
    [resolution] = [m for m in fake_slack.messages(row.channel_id) if "resolved INC-1" in m["text"]]
    assert button_ids(resolution["blocks"]) == [Action.EDIT_REPORT, Action.ADD_ACTION]
    thread = [m for m in fake_slack.messages(incident(bot).announcement_channel_id) if "resolved INC-1" in m["text"]]
    assert thread and button_ids(thread[0]["blocks"]) == [], "stakeholders read the thread: no report buttons there"

    bot.click(Action.ADD_ACTION, row.id, channel=row.channel_id)
    bot.settle()
    bot.click(Action.EDIT_REPORT, row.id, channel=row.channel_id)
    bot.settle()
    action_form, report_form = (v["view"] for v in fake_slack.views)
    assert (action_form["callback_id"], action_form["private_metadata"]) == (ViewId.ACTION, str(row.id))
    owner = next(b for b in action_form["blocks"] if b["block_id"] == "action_owner")
    assert owner["element"]["initial_user"] == "U02BOB", "the commander, unless changed"
    assert report_form["callback_id"] == ViewId.REPORT
    resolution_field = next(b for b in report_form["blocks"] if b["block_id"] == "report_resolution")
    assert resolution_field["element"]["initial_value"] == "Rolled back", "the resolution summary, to start from"

    add_action_with_form(bot, row.id, "Alert on checkout latency", priority="p1", type_="detective", due="2026-12-04",
                         tracker="https://tracker.example.com/OPS-7")
    [item] = items(bot)
    assert (item.owner, item.priority, item.type, item.due_on, item.tracker_url) == (
        "U02BOB", "p1", "detective", date(2026, 12, 4), "https://tracker.example.com/OPS-7")


def test_actions_lists_them_and_done_strikes_them_through(bot, fake_slack):
    row = declare(bot, "declare sev2 Checkout is slow")
    in_channel(bot, "action Add an EU canary <@U02BOB|bob> p1 due fri", row)
    in_channel(bot, "action Write the rollback runbook", row)
    assert in_channel(bot, "action done 2", row)["text"] == \
        "Action item 2 of INC-1 is done: ~Write the rollback runbook~"
    listed = in_channel(bot, "actions", row)
    text = rendered(listed["blocks"])
    assert "*Action items of INC-1* (1 open, 1 done)" in text
    assert "*1.* Add an EU canary · <@U02BOB> · P1 · type not set · due Fri 27 Nov 2026" in text
    assert "*2.* ~Write the rollback runbook~ · <@U01ALICE> · done" in text
    assert button_ids(listed["blocks"]) == [] and text.count(Action.ACTION_DONE) == 1, "a Done button on the open one"

    canary = items(bot)[0]
    bot.click(Action.ACTION_DONE, canary.id, user="U02BOB", channel=row.channel_id)
    bot.settle()
    assert items(bot)[0].done_by == "U02BOB"
    bot.click(Action.ACTION_DONE, canary.id, user="U02BOB", channel=row.channel_id)
    bot.settle()
    assert "Action item 1 of INC-1 is already done." in fake_slack.responses[-1]["text"]


def test_actions_mine_lists_every_open_item_someone_owns_the_oldest_due_first(bot, fake_slack):
    first = declare(bot, "declare sev2 Checkout is slow")
    in_channel(bot, "action Later fix <@U02BOB|bob> due 2026-12-10", first)
    in_channel(bot, "action Someone else's <@U03CAROL|carol>", first)
    second = declare(bot, "declare sev3 Search is slow")
    in_channel(bot, "action Soonest fix <@U02BOB|bob> due tomorrow", second)
    in_channel(bot, "action Whenever <@U02BOB|bob>", second)
    in_channel(bot, "action Done already <@U02BOB|bob>", second)
    in_channel(bot, "action done 3", second)

    response = bot.command("actions mine", user="U02BOB")  # in #general: anywhere
    text = response.json()["text"]
    assert text.split("\n") == [
        "*Your open action items* (3), the oldest due first",
        "*INC-2 #1* Soonest fix · <@U02BOB> · P2 · type not set · due Tue 24 Nov 2026",
        "*INC-1 #1* Later fix · <@U02BOB> · P2 · type not set · due Thu 10 Dec 2026",
        "*INC-2 #2* Whenever · <@U02BOB> · P2 · type not set · no due date",
    ]
    assert rendered(response.json()["blocks"]).count(Action.ACTION_DONE) == 3
    assert bot.command("actions mine", user="U04DAVE").json()["text"] == "You own no open action items. :tada:"


def test_the_owner_is_reminded_the_business_day_before_and_once_overdue(bot, fake_slack):
    row = declare(bot, "declare sev2 Checkout is slow")  # Monday 23 Nov 2026 09:00 UTC
    in_channel(bot, "action Add an EU canary <@U02BOB|bob> due mon", row)  # Monday 30 Nov
    run_due(bot, timedelta(days=3, hours=23, minutes=59))  # Friday 08:59
    assert dms(fake_slack, "U02BOB", ":hourglass") == []
    run_due(bot, timedelta(minutes=1))  # Friday 09:00: the business day before Monday
    [soon] = dms(fake_slack, "U02BOB", ":hourglass_flowing_sand: Due Mon 30 Nov 2026: action item 1 of INC-1")
    run_due(bot, timedelta(days=3, hours=23, minutes=59))  # Tuesday 08:59
    assert dms(fake_slack, "U02BOB", ":warning: Overdue") == []
    run_due(bot, timedelta(minutes=1))
    [late] = dms(fake_slack, "U02BOB", ":warning: Overdue since Mon 30 Nov 2026: action item 1 of INC-1")
    run_due(bot, timedelta(days=7))
    assert len(dms(fake_slack, "U02BOB", ":hourglass")) == 1 and len(dms(fake_slack, "U02BOB", ":warning:")) == 1


def test_a_done_item_is_not_chased(bot, fake_slack):
    row = declare(bot, "declare sev2 Checkout is slow")
    in_channel(bot, "action Add an EU canary <@U02BOB|bob> due wed", row)
    in_channel(bot, "action done 1", row, user="U02BOB")
    run_due(bot, timedelta(days=10))
    assert dms(fake_slack, "U02BOB", ":hourglass") == [] and dms(fake_slack, "U02BOB", ":warning:") == []


def test_a_reminder_run_again_after_a_crash_owes_one_dm(bot, fake_slack):
    """At least once, delivered once: a worker that died after the DM was owed but before the timer was
    marked done lets the timer run again; the handler finds the DM already owed."""
    row = declare(bot, "declare sev2 Checkout is slow")
    in_channel(bot, "action Add an EU canary <@U02BOB|bob> due wed", row)
    item = items(bot)[0]
    timer = type("Timer", (), {"incident_id": row.id, "payload": {"item": item.id}})()
    for _ in range(2):
        bot.ctx.actions.fire_overdue(timer)
    with bot.ctx.sessions() as session:
        owed = session.scalars(select(Delivery.kind).where(Delivery.action_item_id == item.id)).all()
    assert sorted(owed) == ["action_assigned", "action_overdue"]
