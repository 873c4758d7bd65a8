"""``/incident action`` text: options after the text in any order, due dates as people write them."""

from datetime import date

import pytest

from bot.core.errors import UserError
from bot.slack.blocks import error_text
from handlers.slack.action_grammar import parse_action, parse_date

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize("written, meant", [
    ("2026-12-01", date(2026, 12, 1)), ("1/12", date(2026, 12, 1)), ("01/12/2026", date(2026, 12, 1)),
    ("1/12/27", date(2027, 12, 1)), ("1 dec", date(2026, 12, 1)), ("Dec 1", date(2026, 12, 1)),
    ("1 december 2027", date(2027, 12, 1)), ("5/1", date(2027, 1, 5)), ("23/11", MONDAY), ("29/02", date(2028, 2, 29)),
    ("today", MONDAY), ("tomorrow", date(2026, 11, 24)), ("fri", date(2026, 11, 27)), ("Monday", date(2026, 11, 30)),
    ("in 3d", date(2026, 11, 26)), ("in 2w", date(2026, 12, 7)),
])
def test_due_dates(written, meant):
    assert parse_date(written, MONDAY) == meant


@pytest.mark.parametrize("written, problem", [
    ("31/02", "`31/02` is not a date: February has 28 days."),
    ("2026-04-31", "`2026-04-31` is not a date: April has 30 days."),
    ("12/13", "`12/13` is not a date: there is no month 13 (write the day first: 1/12 is 1 December)."),
    ("soonish 3", "`soonish 3` is not a date I can read; use 2026-12-01, 1/12 (day/month), 1 dec, fri, tomorrow or in 2w."),
])
def test_dates_that_are_not(written, problem):
    with pytest.raises(UserError) as error:
        parse_date(written, MONDAY)
    assert (error_text(error.value), error.value.command) == (problem, "action")


def test_options_follow_the_text_in_any_order():
    parsed = parse_action("Add an EU canary due 1 dec p1 <@U02BOB|bob>", MONDAY)
    assert (parsed.text, parsed.owner, parsed.priority, parsed.due_on) == ("Add an EU canary", "U02BOB", "p1",
                                                                           date(2026, 12, 1))
    plain = parse_action("Review the due diligence checklist", MONDAY)
    assert (plain.text, plain.owner, plain.priority, plain.due_on) == ("Review the due diligence checklist", None, "p2", None)
    assert parse_action("Mention <@U03CAROL|carol> in the runbook p3", MONDAY).owner is None, "only options after the text"


@pytest.mark.parametrize("text, problem", [
    ("Fix p0", "Unknown priority `p0`; use p1, p2 or p3."),
    ("Fix <#C0123|ops>", None),  # a channel at the end is text, not an owner
    ("Fix @carol", "`@carol` is plain text, not a Slack user."),
    ("p2 due fri", "An action item needs a text: what should be done."),
])
def test_mistakes(text, problem):
    if problem is None:
        assert parse_action(text, MONDAY).text == text
        return
    with pytest.raises(UserError) as error:
        parse_action(text, MONDAY)
    assert error_text(error.value).startswith(problem)
