"""Stakeholder updates, nags, subscribers, role checklists and the follow-up after resolution."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.slack.ids import Action, UpdateField
from bot.slack.ids import View as ViewId
from models import Delivery, Status
from tests.integration.helpers import announcement, channel_posts, declare, in_channel, incident, rendered, summary

STAKEHOLDERS = {"stakeholders": {"executives": {"users": ["U06CTO"], "severities": ["sev1"]}}}


@pytest.fixture
def bot(make_bot, fake_slack):
    fake_slack.add_user("U06CTO", name="cto")
    return make_bot(config=STAKEHOLDERS)


def run_due(bot, after: timedelta = timedelta(0)) -> None:
    bot.clock.advance(after)
    bot.ctx.timer_worker.tick()
    bot.settle()


def thread_of_announcement(bot, fake) -> list[dict]:
    row = incident(bot)
    return [m for m in fake.messages(row.announcement_channel_id) if m.get("thread_ts") == row.announcement_ts]


def nags(bot, fake) -> list[str]:
    return [p for p in channel_posts(bot, fake) if "no stakeholder update" in p]


def test_an_update_goes_everywhere_stakeholders_look(bot, fake_slack):
    row = declare(bot, "declare sev1 Checkout is down")
    bot.click(Action.SUBSCRIBE, row.id, user="U03CAROL")
    bot.settle()
    assert "You will get INC-1's updates and its resolution by DM." in fake_slack.responses[-1]["text"]

    answer = in_channel(bot, "update Card payments fail for 30% of EU users; rolling back the 10:02 deploy", row)
    assert answer["text"].startswith("Update posted for INC-1")
    text = "Card payments fail for 30% of EU users; rolling back the 10:02 deploy"
    [posted] = [p for p in channel_posts(bot, fake_slack) if "INC-1 update" in p]
    assert f"*INC-1 update* (investigating) from <@U01ALICE>: {text}" in posted and "Next update by" in posted
    [threaded] = thread_of_announcement(bot, fake_slack)
    assert text in threaded["text"]
    assert text in fake_slack.messages("U03CAROL")[-1]["text"]
    assert text in fake_slack.messages("U06CTO")[-1]["text"], "executives follow every sev1 update"
    row = incident(bot)
    assert row.latest_update == text and row.update_due_at == bot.clock.now() + timedelta(minutes=20)
    assert "Latest update" in rendered(summary(bot, fake_slack)["blocks"]) and text in rendered(summary(bot, fake_slack)["blocks"])
    assert text in rendered(announcement(bot, fake_slack)["blocks"])


def test_stakeholder_groups_follow_only_their_severities(bot, fake_slack):
    row = declare(bot, "declare sev3 Search is slow")
    in_channel(bot, "update Slower search, no errors", row)
    assert fake_slack.messages("U06CTO") == []


def test_the_update_form(bot, fake_slack):
    row = declare(bot, "declare sev2 Checkout is slow")
    bot.click(Action.POST_UPDATE, row.id)
    bot.settle()
    [form] = fake_slack.views
    assert form["view"]["callback_id"] == ViewId.UPDATE and form["view"]["private_metadata"] == str(row.id)
    response = bot.submit_view(ViewId.UPDATE, {
        UpdateField.STATUS: {UpdateField.STATUS: {"type": "static_select", "selected_option": {"value": "mitigated"}}},
        UpdateField.TEXT: {UpdateField.TEXT: {"type": "plain_text_input", "value": "Traffic moved to eu-west-2"}},
        UpdateField.NEXT: {UpdateField.NEXT: {"type": "static_select", "selected_option": {"value": "900"}}},
    }, private_metadata=str(row.id))
    assert response.status == 200
    bot.settle()
    row = incident(bot)
    assert row.status == Status.MITIGATED and row.latest_update == "Traffic moved to eu-west-2"
    assert row.update_due_at == bot.clock.now() + timedelta(minutes=15)
    assert any("*INC-1 update* (mitigated)" in p for p in channel_posts(bot, fake_slack))


def test_an_empty_update_is_refused(bot, fake_slack):
    row = declare(bot, "declare sev2 Checkout is slow")
    assert "An update needs some text" in in_channel(bot, "update", row)["text"]
    response = bot.submit_view(ViewId.UPDATE, {
        UpdateField.TEXT: {UpdateField.TEXT: {"type": "plain_text_input", "value": "  "}},
    }, private_metadata=str(row.id))
    assert response.json() == {"response_action": "errors", "errors": {UpdateField.TEXT: "An update needs some text."}}


def test_nags_name_the_comms_lead_then_the_commander_too(bot, fake_slack):
    row = declare(bot, "declare sev2 Checkout is slow", user="U01ALICE")
    bot.click(Action.TAKE_COMMS, row.id, user="U02BOB")
    bot.settle()
    run_due(bot, timedelta(minutes=29))
    assert nags(bot, fake_slack) == []
    run_due(bot, timedelta(minutes=1))
    [first] = nags(bot, fake_slack)
    assert first.startswith("<@U02BOB>: no stakeholder update for INC-1 (investigating) for 30m")
    post = [m for m in fake_slack.messages(row.channel_id) if "no stakeholder update" in m["text"]][0]
    assert {Action.POST_UPDATE, f"{Action.SNOOZE}_15", f"{Action.SNOOZE}_30"} <= set(
        e["action_id"] for b in post["blocks"] if b["type"] == "actions" for e in b["elements"])
    run_due(bot)  # the same interval again: no second nag
    assert len(nags(bot, fake_slack)) == 1
    run_due(bot, timedelta(minutes=30))
    assert nags(bot, fake_slack)[-1].startswith("<@U02BOB> <@U01ALICE>: no stakeholder update for INC-1 (investigating) for 1h")


def test_an_update_resets_the_nag_and_a_snooze_delays_it(bot, fake_slack):
    row = declare(bot, "declare sev2 Checkout is slow")
    run_due(bot, timedelta(minutes=20))
    in_channel(bot, "update Investigating the payment gateway", row)
    run_due(bot, timedelta(minutes=20))
    assert nags(bot, fake_slack) == [], "the update restarted the 30 minutes"
    bot.click(f"{Action.SNOOZE}_15", f"{row.id}:15")
    bot.settle()
    run_due(bot, timedelta(minutes=14))
    assert nags(bot, fake_slack) == []
    run_due(bot, timedelta(minutes=1))
    assert len(nags(bot, fake_slack)) == 1


def test_a_severity_change_reschedules_the_nag_at_once(bot, fake_slack):
    row = declare(bot, "declare sev3 Search is slow")
    run_due(bot, timedelta(minutes=25))
    in_channel(bot, "sev sev1 checkout affected too", row)
    run_due(bot)
    assert len(nags(bot, fake_slack)) == 1, "sev1 wants an update every 20m, and 25m have passed"


def test_a_severity_that_wants_a_comms_lead_keeps_asking(bot, fake_slack):
    declare(bot, "declare sev1 Checkout is down")
    run_due(bot, timedelta(minutes=20))
    post = [m for m in fake_slack.messages(incident(bot).channel_id) if "no stakeholder update" in m["text"]][0]
    assert "needs a Communication Lead" in rendered(post["blocks"])
    assert Action.TAKE_COMMS in rendered(post["blocks"])


def test_nags_stop_at_resolution_and_snoozing_then_is_refused(bot, fake_slack):
    row = declare(bot, "declare sev2 Checkout is slow")
    in_channel(bot, "resolve", row)
    run_due(bot, timedelta(hours=3))
    assert nags(bot, fake_slack) == []
    bot.click(f"{Action.SNOOZE}_15", f"{row.id}:15")
    bot.settle()
    assert "is resolved: there is no update reminder to snooze" in fake_slack.responses[-1]["text"]


def test_a_new_role_holder_gets_the_checklist(make_bot, fake_slack):
    bot = make_bot(config={"roles": {"commander": {"checklist": ["Open the war room bridge"]}}})
    row = declare(bot, "declare sev3 Search is slow")
    in_channel(bot, "ic <@U02BOB|bob>", row)
    in_channel(bot, "comms <@U03CAROL|carol>", row)
    [to_bob] = fake_slack.messages("U02BOB")
    assert to_bob["text"] == (f"You are now the *Incident Commander* of INC-1: Search is slow in <#{row.channel_id}>.\n"
                              "• Open the war room bridge")
    [to_carol] = fake_slack.messages("U03CAROL")
    assert "*Communication Lead*" in to_carol["text"] and "Post stakeholder updates on time" in to_carol["text"]


def test_resolution_tells_stakeholders_asks_for_a_summary_and_reminds_next_business_day(bot, fake_slack):
    row = declare(bot, "declare sev1 Checkout is down")
    bot.click(Action.SUBSCRIBE, row.id, user="U03CAROL")
    bot.settle()
    bot.clock.set(bot.clock.now().replace(hour=16))  # Monday 16:00 UTC
    in_channel(bot, "resolve", row)
    assert fake_slack.messages("U03CAROL")[-1]["text"].startswith(":white_check_mark: INC-1 is resolved (fixed)")
    assert "is resolved" in fake_slack.messages("U06CTO")[-1]["text"]
    assert "Please write two lines on what happened" in fake_slack.messages("U01ALICE")[-1]["text"]
    assert any(m.get("thread_ts") for m in fake_slack.messages(row.announcement_channel_id))

    run_due(bot, timedelta(hours=16, minutes=59))  # Tuesday 08:59
    assert "Reminder: write the incident report" not in fake_slack.messages("U01ALICE")[-1]["text"]
    run_due(bot, timedelta(minutes=1))  # Tuesday 09:00, business hours
    assert fake_slack.messages("U01ALICE")[-1]["text"].startswith(":memo: Reminder: write the incident report for INC-1")


def test_a_subscriber_who_left_slack_is_skipped_and_recorded(bot, fake_slack):
    row = declare(bot, "declare sev2 Checkout is slow")
    bot.click(Action.SUBSCRIBE, row.id, user="U09GONE")
    bot.settle()
    in_channel(bot, "update Still investigating", row)
    [delivery] = [d for d in _deliveries(bot) if d.user_id == "U09GONE"]
    assert delivery.sent_at is None and delivery.skipped == "Slack cannot reach them: channel_not_found"
    assert incident(bot).sync_error is None


def test_a_downgrade_is_said_in_the_announcement_thread(bot, fake_slack):
    row = declare(bot, "declare sev1 Checkout is down")
    in_channel(bot, "sev sev2 only EU affected", row, user="U02BOB")
    assert "INC-1 downgraded from sev1 to sev2 by <@U02BOB>: only EU affected" in [
        m["text"] for m in thread_of_announcement(bot, fake_slack)]


def _deliveries(bot):
    with bot.ctx.sessions() as session:
        return list(session.scalars(select(Delivery)))


def test_a_missing_comms_lead_is_asked_for_every_interval_until_someone_takes_it(bot, fake_slack):
    row = declare(bot, "declare sev1 Checkout is down")
    in_channel(bot, "update Investigating", row)  # updates keep coming: no nag, yet the role is still open
    run_due(bot, timedelta(minutes=20))
    asks = [p for p in channel_posts(bot, fake_slack) if "still has no Communication Lead" in p]
    assert len(asks) == 1
    bot.click(Action.TAKE_COMMS, row.id, user="U02BOB")
    bot.settle()
    run_due(bot, timedelta(minutes=40))
    assert len([p for p in channel_posts(bot, fake_slack) if "still has no Communication Lead" in p]) == 1


def test_an_update_after_resolution_is_a_follow_up_answered_clearly_and_recorded_once(bot, fake_slack):
    row = declare(bot, "declare sev1 Checkout is down")
    in_channel(bot, "resolve Rolled back deploy 42", row)
    answer = in_channel(bot, "update Root cause found: a bad index migration; the report follows on Friday", row)
    assert answer["text"].startswith("Follow-up posted for INC-1 (resolved)") and "No further update is due" in answer["text"]
    assert ":boom:" not in answer["text"]
    updates = [e for e in incident(bot).events if e.kind == "update"]
    assert len(updates) == 1 and updates[0].data == {"status": "resolved", "next_at": None}
    assert incident(bot).status == Status.RESOLVED and incident(bot).update_due_at is None
    assert "bad index migration" in fake_slack.messages("U06CTO")[-1]["text"], "stakeholders hear the follow-up"
    run_due(bot, timedelta(hours=2))
    assert nags(bot, fake_slack) == [], "no nag after resolution"


def test_an_update_form_sent_after_resolution_does_not_reopen_the_incident(bot, fake_slack):
    row = declare(bot, "declare sev1 Checkout is down")
    in_channel(bot, "resolve", row)
    values = {UpdateField.STATUS: {UpdateField.STATUS: {"type": "static_select", "selected_option": {"value": "investigating"}}},
              UpdateField.TEXT: {UpdateField.TEXT: {"type": "plain_text_input", "value": "All card payments work again"}},
              UpdateField.NEXT: {UpdateField.NEXT: {"type": "static_select", "selected_option": {"value": "1200"}}}}
    assert bot.submit_view(ViewId.UPDATE, values, private_metadata=str(row.id)).status == 200
    bot.settle()
    assert incident(bot).status == Status.RESOLVED
    assert "did not reopen it" in fake_slack.messages("U01ALICE")[-1]["text"]
