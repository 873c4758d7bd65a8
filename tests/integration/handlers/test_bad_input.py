"""Wrong commands get an ephemeral answer naming the problem and the right form; bad requests a 401."""

import time

import pytest

from bot.core.markup import plain
from tests.integration.helpers import declare, in_channel


def answer(bot, text: str, **kwargs) -> str:
    response = bot.command(text, **kwargs)
    assert response.status == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "Traceback" not in body["text"]
    return plain(body["text"])  # as the person reads it


def test_an_unknown_subcommand_names_it_and_lists_the_commands(bot):
    text = answer(bot, "decalre sev1 Checkout is down")
    assert text.startswith(":warning: `decalre` is not an `/incident` command.")
    assert "/incident declare [sevN] <title>" in text


@pytest.mark.parametrize("command, problem, usage", [
    ("declare", "An incident needs a title.", "Usage: `/incident declare [sevN] <title>`"),
    ("declare sev1", "An incident needs a title.", "Usage: `/incident declare [sevN] <title>`"),
    ("declare sev9 Checkout is down", "Unknown severity `sev9`; use one of sev1, sev2, sev3, sev4.",
     "Usage: `/incident declare [sevN] <title>`"),
    ("declare " + "x" * 201, "The title is 201 characters long; keep it under 200", ""),
])
def test_declare_mistakes(bot, command, problem, usage):
    text = answer(bot, command)
    assert problem in text and usage in text
    assert bot.ctx.incidents.list_open() == []


@pytest.mark.parametrize("command", ["status mitigated", "resolve", "note hello", "ic <@U02BOB|bob>", "page checkout", "escalate", "update all good",
                                     "comms <@U02BOB|bob>", "ack", "sev sev2", "timeline"])
def test_channel_commands_outside_an_incident_channel(bot, command):
    sub = command.split()[0]
    assert answer(bot, command) == (
        f":warning: `/incident {sub}` works only in an incident's channel, and this is not one. "
        "Run it in the incident's channel (`/incident list` shows them)."
    )


@pytest.mark.parametrize("command, problem, usage", [
    ("status fixed", "Unknown status `fixed`.", "/incident status <investigating|identified|mitigated|resolved>"),
    ("status", "Say which status.", "/incident status <investigating|identified|mitigated|resolved>"),
    ("status investigating", "INC-1 is already investigating.", "/incident status"),
    ("sev sev7", "Unknown severity `sev7`; use one of sev1, sev2, sev3, sev4.", "/incident sev <sevN> [reason]"),
    ("sev", "Say which severity.", "/incident sev <sevN> [reason]"),
    ("ic @bob", "`@bob` is plain text, not a Slack user.", "/incident ic @user"),
    ("ic <#C0123|ops>", "`#ops` is a channel, not a Slack user.", "/incident ic @user"),
    ("comms <!subteam^S0123|@sre>", "`@sre` is a user group, not a Slack user.", "/incident comms @user"),
    ("ic", "Name a person.", "/incident ic @user"),
    ("note", "A note needs some text.", "/incident note <text>"),
])
def test_mistakes_in_an_incident_channel(bot, command, problem, usage):
    row = declare(bot, "declare sev3 Search is slow")
    text = answer(bot, command, channel=row.channel_id)
    assert problem in text and usage in text


def test_changes_to_a_resolved_incident_say_how_to_reopen(bot):
    row = declare(bot, "declare sev3 Search is slow")
    in_channel(bot, "resolve", row)
    assert "reopen it first with `/incident status investigating`" in answer(bot, "ic <@U02BOB|bob>", channel=row.channel_id)


def test_a_bad_signature_is_refused(bot, fake_slack):
    response = bot.command("declare sev1 Checkout is down", secret="not-the-secret")
    assert response.status == 401
    assert bot.ctx.incidents.list_open() == []


def test_a_stale_timestamp_is_refused(bot, fake_slack):
    response = bot.command("declare sev1 Checkout is down", timestamp=int(time.time()) - 10 * 60)
    assert response.status == 401
    assert bot.ctx.incidents.list_open() == []
