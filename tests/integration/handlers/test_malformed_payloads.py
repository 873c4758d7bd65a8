"""Signed interactivity payloads that are not what Slack sends (or not what the bot made): a 400
naming what is wrong and one warning line in the log, never a 500 or a stack trace; nothing changes."""

import logging

import pytest

from bot.slack.ids import Action, DeclareField, UpdateField
from bot.slack.ids import View as ViewId
from tests.integration.helpers import declare, incident

UPDATE = {
    UpdateField.TEXT: {UpdateField.TEXT: {"type": "plain_text_input", "value": "Traffic moved"}},
    UpdateField.NEXT: {UpdateField.NEXT: {"type": "static_select", "selected_option": {"value": "900"}}},
}
DECLARE = {DeclareField.TITLE: {DeclareField.TITLE: {"type": "plain_text_input", "value": "Checkout is down"}}}


@pytest.fixture
def logged_bot(make_bot, caplog):
    caplog.set_level(logging.WARNING)  # before the app is built: Bolt's loggers take the root's level then
    return make_bot()


def refused_in_one_line(response, caplog, problem: str) -> None:
    assert (response.status, response.json()) == (400, {"error": problem})
    assert [r for r in caplog.records if r.exc_info] == [] and "Traceback" not in caplog.text
    [warning] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert problem in warning and "\n" not in warning


def test_a_button_press_without_a_user(logged_bot, caplog):
    bot = logged_bot
    row = declare(bot, "declare sev2 Checkout is slow")
    response = bot.interact({"type": "block_actions", "trigger_id": "trigger.x",
                             "container": {"type": "message", "channel_id": row.channel_id},
                             "actions": [{"type": "button", "action_id": Action.ACKNOWLEDGE, "block_id": "b",
                                          "value": str(row.id), "action_ts": "1"}]})
    refused_in_one_line(response, caplog, "the payload has no user.id")
    assert incident(bot, row.id).acknowledged_at is None


@pytest.mark.parametrize("value", ["not-an-id", "", "1; drop table incidents"])
def test_a_button_whose_value_is_not_an_incident_id(logged_bot, caplog, value):
    bot = logged_bot
    row = declare(bot, "declare sev2 Checkout is slow")
    response = bot.interact({"type": "block_actions", "user": {"id": "U02BOB"}, "trigger_id": "trigger.x",
                             "response_url": bot.fake.response_url("bad-value"),
                             "actions": [{"type": "button", "action_id": Action.ACKNOWLEDGE, "block_id": "b",
                                          "value": value, "action_ts": "1"}]})
    refused_in_one_line(response, caplog, f"the button's value {value!r} is not an incident id")
    assert incident(bot, row.id).acknowledged_at is None


def test_an_update_form_whose_metadata_is_not_an_incident_id(logged_bot, caplog):
    bot = logged_bot
    row = declare(bot, "declare sev2 Checkout is slow")
    response = bot.submit_view(ViewId.UPDATE, UPDATE, private_metadata="not-a-number")
    refused_in_one_line(response, caplog, "the update form's private_metadata 'not-a-number' is not a number")
    assert incident(bot, row.id).latest_update is None


def test_an_update_form_whose_next_update_is_not_a_number(logged_bot, caplog):
    bot = logged_bot
    row = declare(bot, "declare sev2 Checkout is slow")
    values = {**UPDATE, UpdateField.NEXT: {UpdateField.NEXT: {"type": "static_select", "selected_option": {"value": "soon"}}}}
    response = bot.submit_view(ViewId.UPDATE, values, private_metadata=str(row.id))
    refused_in_one_line(response, caplog, "the update form's next update 'soon' is not a number")
    assert incident(bot, row.id).latest_update is None


@pytest.mark.parametrize("metadata", ["{not json", "[1, 2]"])
def test_a_declare_form_whose_metadata_is_not_a_json_object(logged_bot, caplog, metadata):
    bot = logged_bot
    response = bot.submit_view(ViewId.DECLARE, DECLARE, private_metadata=metadata)
    refused_in_one_line(response, caplog, f"the declare form's private_metadata {metadata!r} is not a JSON object")
    assert bot.ctx.incidents.list_open() == []
