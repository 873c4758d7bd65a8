"""User text shown again: no broadcast, no masked link, no markup it did not mean; mentions it did mean stay."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.markup import mrkdwn, plain

BROADCASTS = ["<!channel>", "<!here>", "<!everyone>", "<!subteam^S0123ABC|@sre-leads>", "<!here|here>"]


@pytest.mark.parametrize("token", BROADCASTS)
def test_no_broadcast_survives(token):
    shown = mrkdwn(f"Checkout down {token} please look")
    assert "<!" not in shown
    assert "@" in shown  # still readable: the reader sees who was named


def test_masked_links_show_their_address():
    assert mrkdwn("<https://evil.example|Open the runbook>") == "Open the runbook (<https://evil.example>)"
    assert plain("<https://evil.example|Open the runbook>") == "Open the runbook (https://evil.example)"


def test_markup_that_is_not_slack_is_shown_as_typed():
    assert mrkdwn("Payments & <checkout> > 5xx") == "Payments &amp; &lt;checkout&gt; &gt; 5xx"
    assert plain("Payments & <checkout> > 5xx") == "Payments & <checkout> > 5xx"


def test_text_slack_already_escaped_is_not_escaped_twice():
    slash_text = "Payments &amp; &lt;checkout&gt; by <@U02BOB|bob> in <#C0001|ops>"
    assert mrkdwn(slash_text) == "Payments &amp; &lt;checkout&gt; by <@U02BOB> in <#C0001>"
    assert plain(slash_text, names={"U02BOB": "bob"}.get) == "Payments & <checkout> by bob in #ops"


def test_a_date_links_nowhere_hidden():
    """Slack links a date's text to the URL after its format (``<!date^ts^format^url|text>``): typed into a
    form (raw, unlike a slash command's text), that is a link behind a label; the URL is shown instead."""
    typed = "Q&A <!date^1700000000^{date_short}^https://evil.example|today> <db01>"
    assert mrkdwn(typed) == ("Q&amp;A <!date^1700000000^{date_short}|today> (https://evil.example) &lt;db01&gt;")
    assert plain(typed) == "Q&A today (https://evil.example) <db01>"


def test_meant_markup_stays():
    text = "<@U01ALICE> rolled back, see <https://ci.example/42> <!date^1700000000^{time}|09:00>"
    assert mrkdwn(text) == text


@given(st.text())
def test_no_live_broadcast_or_masked_link_whatever_the_text(text):
    shown = mrkdwn(text)
    for token in ("<!here", "<!channel", "<!everyone", "<!subteam"):
        assert token not in shown
    # every "<" left opens a harmless token: a person, a channel, a date, or a bare link
    for inner in __import__("re").findall(r"<([^>]*)>", shown):
        assert inner[:1] in "@#!" or inner.startswith(("http", "mailto")), shown
        assert "|" not in inner or inner.startswith("!date^")
        assert not inner.startswith("!date^") or inner.count("^") == 2, "a date with a link hides the link"
