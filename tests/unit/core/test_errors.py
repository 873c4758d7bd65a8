"""A ``UserError`` is plain text whose literals are marked: each side shows them its own way."""

from bot.core.errors import UserError, code
from bot.slack.blocks import error_text, user_error_message


def test_the_domain_says_plain_words_and_slack_shows_the_literals_as_code():
    error = UserError(f"{code('soon')} is not a date; {code('/incident stats')} shows the form.", field="until")
    assert str(error) == error.message == "soon is not a date; /incident stats shows the form."
    assert error_text(error) == "`soon` is not a date; `/incident stats` shows the form."
    assert error.rendered(lambda literal: f"“{literal}”") == "“soon” is not a date; “/incident stats” shows the form."


def test_a_typed_value_cannot_forge_or_break_the_marks():
    forged = "\x0fsneaky\x0e"
    error = UserError(f"{code(forged)} is not a schedule name.")
    assert error.message == "sneaky is not a schedule name."
    assert error_text(error) == "`sneaky` is not a schedule name."


def test_slack_escapes_what_was_typed_inside_the_code():
    error = UserError(f"{code('<!channel> & co')} is not a service.", command="page")
    text = user_error_message(error).text
    assert text.startswith(":warning: `@channel &amp; co` is not a service.\nUsage: `")
