"""Declaring, from the command and from the modal, through real HTTP and the fake Slack."""

import json

from bot.slack.ids import Action, DeclareField
from bot.slack.ids import View as ViewId
from models import Role, Status
from tests.integration.helpers import announcement, button_ids, declare, incident, rendered, summary

SERVICES = {"services": {"checkout": {"runbook": "https://wiki.example.com/runbooks/checkout"}}}


def test_declare_records_then_confirms_then_builds_the_channel(bot, fake_slack):
    response = bot.command("declare sev1 Checkout is down")

    assert response.status == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    assert "*INC-1* is recorded (sev1): Checkout is down" in answer["text"]
    # committed before the answer left: the row is there at once, Slack work may still run
    row = incident(bot, 1)
    assert (row.title, row.severity, row.status, row.declared_by) == ("Checkout is down", "sev1", Status.INVESTIGATING, "U01ALICE")
    assert row.declared_at == bot.ctx.clock.now()

    bot.settle()
    row = incident(bot, 1)
    channel = fake_slack.channels[row.channel_id]
    assert channel["name"] == row.channel_name == "inc-1-checkout-is-down"
    assert channel["is_private"] is False
    assert [c.args.get("is_private") for c in fake_slack.calls_to("conversations.create")] in (["0"], [False], ["false"])
    assert channel["topic"] == row.channel_topic
    assert "INC-1 SEV1 investigating" in channel["topic"] and "Checkout is down" in channel["topic"]
    assert "U01ALICE" in channel["members"]
    assert fake_slack.pins(row.channel_id) == [row.summary_ts]
    assert row.synced_revision == row.revision and row.sync_error is None


def test_the_summary_shows_everything_a_responder_needs(make_bot, fake_slack):
    bot = make_bot(config=SERVICES)
    response = bot.submit_view(ViewId.DECLARE, {
        DeclareField.TITLE: {DeclareField.TITLE: {"type": "plain_text_input", "value": "Payments fail"}},
        DeclareField.SEVERITY: {DeclareField.SEVERITY: {"type": "static_select", "selected_option": {"value": "sev3"}}},
        DeclareField.SERVICE: {DeclareField.SERVICE: {"type": "static_select", "selected_option": {"value": "checkout"}}},
        DeclareField.DESCRIPTION: {DeclareField.DESCRIPTION: {"type": "plain_text_input", "value": "EU cards declined"}},
        DeclareField.COMMANDER: {DeclareField.COMMANDER: {"type": "users_select", "selected_user": None}},
    }, private_metadata=json.dumps({"channel_id": "CGENERAL", "response_url": fake_slack.response_url("form")}))
    assert response.status == 200 and response.body in (b"", b"null")
    bot.settle()

    text = rendered(summary(bot, fake_slack)["blocks"])
    for expected in ["INC-1", "SEV3 (Minor)", "Investigating", "Incident Commander", "<@U01ALICE>",
                     "Communication Lead", "Unacknowledged", "Declared by <@U01ALICE>", "checkout",
                     "https://wiki.example.com/runbooks/checkout", "EU cards declined"]:
        assert expected in text, expected
    assert button_ids(summary(bot, fake_slack)["blocks"]) == [Action.ACKNOWLEDGE, Action.POST_UPDATE, Action.RESOLVE]
    assert "INC-1 is recorded" in fake_slack.responses_for("form")[0]["text"].replace("*", "")


def test_declaring_is_not_acknowledging(bot, fake_slack):
    declare(bot)
    row = incident(bot)
    assert row.acknowledged_at is None and row.acknowledged_by is None
    assert "Unacknowledged" in rendered(summary(bot, fake_slack)["blocks"])
    assert Action.ACKNOWLEDGE in button_ids(summary(bot, fake_slack)["blocks"])


def test_the_announcement_links_the_channel_and_follows_every_change(bot, fake_slack):
    row = declare(bot)
    post = announcement(bot, fake_slack)
    assert row.announcement_channel_id == fake_slack.channel_by_name("incidents")["id"]
    assert f"<#{row.channel_id}>" in rendered(post["blocks"])
    assert "Investigating" in rendered(post["blocks"])

    bot.click(Action.ACKNOWLEDGE, row.id, user="U02BOB")
    bot.settle()
    assert summary(bot, fake_slack)["update_count"] >= 1
    assert "Acknowledged by <@U02BOB>" in rendered(summary(bot, fake_slack)["blocks"])
    bot.command("status mitigated", channel=row.channel_id)
    bot.settle()
    assert "Mitigated" in rendered(announcement(bot, fake_slack)["blocks"])
    assert announcement(bot, fake_slack)["update_count"] >= 1
    assert len(fake_slack.calls_to("conversations.create")) == 1
    assert len([m for m in fake_slack.messages(row.announcement_channel_id)]) == 1


def test_independent_slack_calls_run_at_the_same_time(bot, fake_slack):
    fake_slack.latency = 0.2
    declare(bot)
    create = fake_slack.calls_to("conversations.create")[0]
    after = [c for c in fake_slack.calls if c.started >= create.finished and c.method != "pins.add"]
    assert {c.method for c in after} >= {"conversations.setTopic", "conversations.invite", "chat.postMessage"}
    latest_start = max(c.started for c in after)
    earliest_end = min(c.finished for c in after)
    assert latest_start < earliest_end, "topic, invite, summary and announcement should overlap"


def test_a_taken_channel_name_gets_a_suffix(bot, fake_slack):
    fake_slack.add_channel("inc-1-checkout-is-down")
    row = declare(bot)
    assert row.channel_name == "inc-1-checkout-is-down-2"
    assert fake_slack.channels[row.channel_id]["is_private"] is False


def test_long_titles_fit_slacks_limits(bot, fake_slack):
    title = "The primary PostgreSQL cluster in eu-west-1 refuses connections after failover " * 3
    row = declare(bot, f"declare sev2 {title[:199]}")
    assert len(row.channel_name) <= 80
    assert len(fake_slack.channels[row.channel_id]["topic"]) <= 250


def test_default_severity_and_one_person_for_both_roles(bot, fake_slack):
    row = declare(bot, "declare Search is slow")
    assert row.severity == "sev3"
    assert row.holder(Role.COMMANDER) == row.holder(Role.COMMS_LEAD) == "U01ALICE"
    assert Action.TAKE_COMMS not in button_ids(summary(bot, fake_slack)["blocks"])


def test_slash_incident_alone_opens_the_declare_form(make_bot, fake_slack):
    bot = make_bot(config=SERVICES)
    response = bot.command("")
    assert response.status == 200 and response.body in (b"", b"null")
    bot.settle()
    [view] = fake_slack.views
    assert view["trigger_id"] == f"trigger.{bot._run}.1"
    assert view["view"]["callback_id"] == ViewId.DECLARE
    block_ids = [b["block_id"] for b in view["view"]["blocks"]]
    assert block_ids == [DeclareField.TITLE, DeclareField.SEVERITY, DeclareField.SERVICE,
                         DeclareField.DESCRIPTION, DeclareField.COMMANDER]
    assert json.loads(view["view"]["private_metadata"])["channel_id"] == "CGENERAL"


def test_the_form_can_name_another_commander(bot, fake_slack):
    response = bot.submit_view(ViewId.DECLARE, {
        DeclareField.TITLE: {DeclareField.TITLE: {"type": "plain_text_input", "value": "Login broken"}},
        DeclareField.SEVERITY: {DeclareField.SEVERITY: {"type": "static_select", "selected_option": {"value": "sev2"}}},
        DeclareField.DESCRIPTION: {DeclareField.DESCRIPTION: {"type": "plain_text_input", "value": None}},
        DeclareField.COMMANDER: {DeclareField.COMMANDER: {"type": "users_select", "selected_user": "U02BOB"}},
    })
    assert response.status == 200
    bot.settle()
    row = incident(bot)
    assert row.holder(Role.COMMANDER) == "U02BOB"
    assert row.holder(Role.COMMS_LEAD) is None  # sev2 needs a separate Communication Lead
    assert {"U01ALICE", "U02BOB"} <= set(fake_slack.channels[row.channel_id]["members"])
    # no response URL in the form's metadata: the confirmation comes by DM
    assert any("INC-1" in m["text"] for m in fake_slack.messages("U01ALICE"))


def test_the_form_puts_problems_next_to_the_field(bot, fake_slack):
    response = bot.submit_view(ViewId.DECLARE, {
        DeclareField.TITLE: {DeclareField.TITLE: {"type": "plain_text_input", "value": "   "}},
        DeclareField.SEVERITY: {DeclareField.SEVERITY: {"type": "static_select", "selected_option": {"value": "sev2"}}},
    })
    assert response.status == 200
    assert response.json() == {"response_action": "errors",
                               "errors": {DeclareField.TITLE: "An incident needs a title."}}
    assert bot.ctx.incidents.list_open() == []
