"""Wrong report, review and action item commands and forms: an ephemeral answer (or a form error next to
the field) that says what was wrong and the right form; nothing is written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.slack.ids import ActionField, ReportField
from models import ActionItem, Report
from tests.integration.handlers.test_bad_input import answer
from tests.integration.helpers import declare, in_channel
from tests.integration.reports.helpers import add_action_with_form, fill_report

ACTION_USAGE = "Usage: `/incident action <text> [@owner] [p1|p2|p3] [due <date>]`"


def count(bot, model) -> int:
    with bot.ctx.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("command, name", [
    ("report", "report"), ("report edit", "report edit"), ("review done", "review"), ("action Fix it", "action"),
    ("action done 1", "action done"), ("actions", "actions"),
])
def test_report_commands_outside_an_incident_channel(bot, command, name):
    assert answer(bot, command) == (
        f":warning: `/incident {name}` works only in an incident's channel, and this is not one. "
        "Run it in the incident's channel (`/incident list` shows them)."
    )


@pytest.mark.parametrize("command, problem, usage", [
    ("action Fix the canary p4", "Unknown priority `p4`; use p1, p2 or p3.", ACTION_USAGE),
    ("action Fix the canary due 31/02", "`31/02` is not a date: February has 28 days.", ACTION_USAGE),
    ("action Fix the canary due 2026-11-20", "The due date Fri 20 Nov 2026 is in the past (today is Mon 23 Nov 2026 "
     "in UTC); pick today or a later day.", ACTION_USAGE),
    ("action Fix the canary due someday 42", "`someday 42` is not a date I can read; use 2026-12-01, 1/12 (day/month), "
     "1 dec, fri, tomorrow or in 2w.", ACTION_USAGE),
    ("action Fix the canary @bob", "`@bob` is plain text, not a Slack user.", ACTION_USAGE),
    ("action Fix the canary <!subteam^S0123|@sre>", "`@sre` is a user group, not a Slack user.", ACTION_USAGE),
    ("action", "An action item needs a text: what should be done.", ACTION_USAGE),
    ("action p1 <@U02BOB|bob>", "An action item needs a text: what should be done.", ACTION_USAGE),
    ("action done two", "Say which action item is done, by its number", "Usage: `/incident action done <n>`"),
    ("action done 7", "INC-1 has no action item 7; `/incident actions` lists them.", "Usage: `/incident action done <n>`"),
    ("actions everything", "`/incident actions` takes no text, or `mine`; not `everything`.", "Usage: `/incident actions`"),
    ("review", "Say `done` once the post-incident review was held.", "Usage: `/incident review done`"),
    ("report now", "`/incident report` takes no text, and `now` is not `edit`.", "Usage: `/incident report`"),
])
def test_mistakes_in_an_incident_channel(bot, command, problem, usage):
    row = declare(bot, "declare sev3 Search is slow")
    text = answer(bot, command, channel=row.channel_id)
    assert problem in text and usage in text
    assert count(bot, ActionItem) == 0


def test_an_empty_report_form_is_refused_next_to_its_first_field(bot):
    row = declare(bot, "declare sev3 Search is slow")
    response = fill_report(bot, row.id, {block: "  " for block in ReportField if block != ReportField.BLAMELESS})
    assert response.json() == {"response_action": "errors", "errors": {
        ReportField.IMPACT: "The form is empty: write at least the impact or the root cause, or change the blameless switch."}}
    assert count(bot, Report) == 0
    assert fill_report(bot, row.id, {}, blameless=True).json() is None, "the switch alone is a change"


@pytest.mark.parametrize("fields, error", [
    ({"text": " "}, {ActionField.TEXT: "An action item needs a text: what should be done."}),
    ({"text": "Fix it", "due": "2026-11-01"},
     {ActionField.DUE: "The due date Sun 01 Nov 2026 is in the past (today is Mon 23 Nov 2026 in UTC); pick today or a later day."}),
    ({"text": "Fix it", "tracker": "javascript:alert(1)"},
     {ActionField.TRACKER_URL: "`javascript:alert(1)` is not a web address; paste the ticket's full link, starting with https://."}),
])
def test_a_wrong_action_item_form_is_refused_next_to_the_field(bot, fields, error):
    row = declare(bot, "declare sev3 Search is slow")
    response = add_action_with_form(bot, row.id, fields.pop("text"), **fields)
    assert response.json() == {"response_action": "errors", "errors": error}
    assert count(bot, ActionItem) == 0


def test_a_done_item_cannot_be_closed_twice(bot):
    row = declare(bot, "declare sev3 Search is slow")
    in_channel(bot, "action Fix the canary", row)
    in_channel(bot, "action done 1", row)
    assert "Action item 1 of INC-1 is already done." in answer(bot, "action done 1", channel=row.channel_id)
