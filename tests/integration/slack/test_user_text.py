"""What people type is shown as typed: nobody broadcasts through the bot, no link hides behind a label
(issue 7, item 7). Every surface the bot posts to is checked at the fake Slack."""

import json
import re
from datetime import timedelta

import pytest

from bot.slack.budget import POST_BURST, POSTS_PER_SECOND
from bot.slack.ids import DeclareField
from bot.slack.ids import View as ViewId
from tests.integration.helpers import declare, in_channel, incident
from tests.integration.paging.test_paging import ON_CALL, run_due

# As a slash command delivers them (Slack escapes & < > and turns @channel into <!channel>) ...
SLASH = "<!channel> <!here> <!everyone> <!subteam^S0SRE|@sre> &amp; &lt;checkout&gt; &lt;https://evil.example|Open the runbook&gt;"
# ... and as a form or a webhook does (raw).
RAW = "<!channel> <!here> <!everyone> <!subteam^S0SRE|@sre> & <checkout> <https://evil.example|Open the runbook>"
LIVE = re.compile(r"<!(channel|here|everyone|subteam)|\|Open the runbook>|<checkout>")


def mrkdwn_in(value) -> list[str]:
    """The mrkdwn texts of Block Kit JSON (plain_text shows its characters as they are: no markup there)."""
    if isinstance(value, str):
        value = json.loads(value) if value[:1] in "[{" else value
    if isinstance(value, dict):
        own = [value["text"]] if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str) else []
        return own + [t for v in value.values() for t in mrkdwn_in(v)]
    if isinstance(value, list):
        return [t for v in value for t in mrkdwn_in(v)]
    return []


def shown(fake) -> list[str]:
    """Every text the bot sent to Slack where Slack reads markup: notification texts, mrkdwn blocks,
    topics, answers at response URLs, views."""
    texts = []
    for call in fake.calls:
        texts += [call.args[name] for name in ("text", "topic") if isinstance(call.args.get(name), str)]
        texts += mrkdwn_in(call.args.get("blocks")) + mrkdwn_in(call.args.get("view"))
    for body in fake.responses:
        texts += [body.get("text") or ""] + mrkdwn_in(body.get("blocks"))
    return texts


def broadcasts(fake) -> list[str]:
    return [text for text in shown(fake) if LIVE.search(text)]


@pytest.fixture
def bot(make_bot, fake_slack):
    fake_slack.add_user("U06CTO", name="cto")
    return make_bot(config={**ON_CALL, "stakeholders": {"execs": {"users": ["U06CTO"]}}}, WEBHOOK_TOKEN="hook-token")


TYPING = timedelta(seconds=POST_BURST / POSTS_PER_SECOND)
"""Between two commands a person types: on a clock that stood still, the fifth post to the channel would
wait for Slack's budget until the answer gave up (ten seconds of each test)."""


def typed(bot, command: str, row) -> None:
    """``command`` in the incident's channel, a person's typing after the one before: the channel's posts
    refill meanwhile (the budget reads the app's clock)."""
    bot.clock.advance(TYPING)
    in_channel(bot, command, row)


def test_slash_command_text_cannot_broadcast(bot, fake_slack):
    row = declare(bot, f"declare sev1 Checkout {SLASH}")
    bot.click("incident_subscribe", row.id, user="U03CAROL")
    for command in (f"note {SLASH}", f"update {SLASH}", f"sev sev2 {SLASH}", "timeline", "list", f"resolve {SLASH}"):
        typed(bot, command, row)
    run_due(bot, timedelta(days=1))  # the next-morning reminders quote the title too
    assert len(shown(fake_slack)) > 20
    assert broadcasts(fake_slack) == []
    everything = " ".join(shown(fake_slack))
    assert "@channel" in everything and "&lt;checkout&gt;" in everything
    assert "&lt;https://evil.example|Open the runbook&gt;" in everything  # typed as text, shown as text


def test_form_and_alert_text_cannot_broadcast(bot, fake_slack):
    values = {DeclareField.TITLE: {DeclareField.TITLE: {"type": "plain_text_input", "value": f"Checkout {RAW}"[:200]}},
              DeclareField.SEVERITY: {DeclareField.SEVERITY: {"type": "static_select", "selected_option": {"value": "sev1"}}},
              DeclareField.DESCRIPTION: {DeclareField.DESCRIPTION: {"type": "plain_text_input", "value": RAW}}}
    assert bot.submit_view(ViewId.DECLARE, values).status == 200
    bot.settle()
    alert = {"title": f"Disk full {RAW}"[:200], "dedup_key": "disk", "status": "firing", "service": "checkout",
             "description": RAW}
    assert bot.webhook("generic", alert).status == 202
    bot.settle()
    run_due(bot, timedelta(minutes=3))  # the alert pages: the page DM quotes the title
    assert incident(bot, 2).channel_id is not None
    assert broadcasts(fake_slack) == []
    assert "Open the runbook (<https://evil.example>)" in " ".join(shown(fake_slack)), "the link shows where it goes"


def test_the_mentions_the_bot_adds_stay_live(bot, fake_slack):
    row = declare(bot, "declare sev1 Checkout is down")
    in_channel(bot, "ic <@U02BOB|bob>", row)
    assert any("<@U02BOB>" in text for text in shown(fake_slack))


TYPED = "Q&A <db01> down > 5m"
ESCAPED = "Q&amp;A &lt;db01&gt; down &gt; 5m"


def _on_every_surface(bot, title: str) -> None:
    """Declare by the form with ``title``, then what shows a title: replies, DMs, page DMs, the live messages,
    the timeline, reminders and nags, and an alert incident whose timeline quotes each alert's title."""
    values = {DeclareField.TITLE: {DeclareField.TITLE: {"type": "plain_text_input", "value": title}},
              DeclareField.SEVERITY: {DeclareField.SEVERITY: {"type": "static_select", "selected_option": {"value": "sev1"}}},
              DeclareField.DESCRIPTION: {DeclareField.DESCRIPTION: {"type": "plain_text_input", "value": title}}}
    assert bot.submit_view(ViewId.DECLARE, values).status == 200
    bot.settle()
    row = incident(bot)
    bot.click("incident_subscribe", row.id, user="U03CAROL")
    run_due(bot)
    for command in ("note checking", "update traffic moved", "sev sev2 calmer", "timeline", "list", "page <@U02BOB|bob>",
                    "resolve fixed"):
        typed(bot, command, row)
    run_due(bot, timedelta(days=1))
    for key, status, severity in (("a1", "firing", "sev3"), ("a2", "firing", "sev2"), ("a1", "resolved", "sev3")):
        bot.webhook("generic", {"title": title, "dedup_key": key, "status": status, "group": "g", "severity": severity,
                                "description": title})
    run_due(bot, timedelta(minutes=3))  # the alert's incident opens: its timeline quotes each alert's title


def test_a_title_typed_into_a_form_is_escaped_on_every_surface(bot, fake_slack):
    """``&``, ``<`` and ``>`` typed into a form reach Slack escaped wherever Slack reads markup."""
    _on_every_surface(bot, TYPED)
    texts = [text for text in shown(fake_slack) if "db01" in text]
    assert len(texts) > 10
    raw = [text for text in texts if ESCAPED not in text or "<db01>" in text or "Q&A" in text]
    assert raw == [], "every surface shows the title escaped"


def test_a_date_typed_into_a_form_hides_no_link(bot, fake_slack):
    """A form's text is raw (a slash command's arrives escaped), so ``<!date^…^url|today>`` typed there would be
    Slack's date token, whose text links to ``url``: every surface shows the address instead."""
    _on_every_surface(bot, f"{TYPED} <!date^1700000000^{{date_short}}^https://evil.example|today>")
    texts = [text for text in shown(fake_slack) if "db01" in text]
    assert len(texts) > 10
    hidden = [text for text in texts if "^https://evil.example" in text]
    assert hidden == [], "no date links anywhere"
    odd = [text for text in texts if "today" in text and "(https://evil.example)" not in text]
    assert odd == []
