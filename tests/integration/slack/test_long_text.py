"""Text longer than a Slack block: the incident's Slack side keeps up, nothing is posted twice (issue 7, item 1)."""

from datetime import timedelta

import pytest

from bot.app import retry_slack_sync
from tests.integration.helpers import channel_posts, declare, in_channel, incident, rendered, summary
from tests.integration.paging.test_paging import ON_CALL, run_due

LONG = " ".join(f"word{n:04d}" for n in range(390))  # 3,509 characters: over a section's 3,000
assert len(LONG) > 3500


@pytest.fixture
def bot(make_bot, fake_slack):
    fake_slack.add_user("U06CTO", name="cto")
    return make_bot(config={**ON_CALL, "stakeholders": {"execs": {"users": ["U06CTO"]}}}, WEBHOOK_TOKEN="hook-token")


def caught_up(bot, incident_id: int = 1) -> None:
    row = incident(bot, incident_id)
    assert (row.sync_error, row.synced_revision) == (None, row.revision)


@pytest.mark.parametrize("command", [f"note {LONG}", f"update {LONG}", f"sev sev2 {LONG}", f"resolve {LONG}"])
def test_a_long_text_reaches_slack_whole_and_what_follows_still_does(bot, fake_slack, command):
    row = declare(bot, "declare sev1 Checkout is down")
    in_channel(bot, command, row)
    caught_up(bot)
    posted = "".join(channel_posts(bot, fake_slack)) + "".join(
        rendered(m["blocks"]) for m in fake_slack.messages(row.channel_id))
    assert "word0000" in posted and "word0389" in posted, "the whole text is in the channel, over several sections"
    in_channel(bot, "note after the long one", row)
    caught_up(bot)
    assert any("after the long one" in p for p in channel_posts(bot, fake_slack))
    bot.clock.advance(timedelta(minutes=2))
    retry_slack_sync(bot.ctx)
    bot.settle()
    announced = [m for m in fake_slack.messages(incident(bot).announcement_channel_id) if m.get("thread_ts") is None]
    assert len(announced) == 1, "the announcement is posted once, however many passes"
    assert len(fake_slack.messages("U06CTO")) <= 1, "a stakeholder gets an update or a resolution once"


def test_the_live_summary_quotes_a_long_update_and_links_to_the_rest(bot, fake_slack):
    row = declare(bot, "declare sev1 Checkout is down")
    in_channel(bot, f"update {LONG}", row)
    shown = rendered(summary(bot, fake_slack)["blocks"])
    assert "word0000" in shown and "word0389" not in shown
    assert f"{bot.ctx.settings.public_url}/incidents/1" in shown


def test_an_update_from_the_form_at_its_longest_goes_out(bot, fake_slack):
    from bot.slack.ids import UpdateField
    from bot.slack.ids import View as ViewId
    row = declare(bot, "declare sev1 Checkout is down")
    text = ("x" * 99 + " ") * 30  # the form allows 3,000 characters
    values = {UpdateField.STATUS: {UpdateField.STATUS: {"type": "static_select", "selected_option": {"value": "investigating"}}},
              UpdateField.TEXT: {UpdateField.TEXT: {"type": "plain_text_input", "value": text}},
              UpdateField.NEXT: {UpdateField.NEXT: {"type": "static_select", "selected_option": {"value": "1200"}}}}
    assert bot.submit_view(ViewId.UPDATE, values, private_metadata=str(row.id)).status == 200
    bot.settle()
    caught_up(bot)
    assert len(fake_slack.messages("U06CTO")) == 1


def test_an_alert_with_a_long_description_gets_its_summary_pinned(bot, fake_slack):
    alert = {"title": "Checkout 5xx above 5%", "dedup_key": "k1", "status": "firing", "service": "checkout",
             "description": LONG}
    assert bot.webhook("generic", alert).status == 202
    bot.settle()
    run_due(bot, timedelta(minutes=2))
    row = incident(bot)
    assert row.summary_ts is not None and fake_slack.pins(row.channel_id) == [row.summary_ts]
    caught_up(bot)


def test_a_failed_step_does_not_repeat_the_steps_that_succeeded(bot, fake_slack):
    fake_slack.fail("pins.add", status=500, times=3)  # the SDK's own retries give up
    row = declare(bot, "declare sev1 Checkout is down")
    assert "pin the summary" in incident(bot).sync_error
    bot.clock.advance(timedelta(seconds=16))
    retry_slack_sync(bot.ctx)
    bot.settle()
    caught_up(bot)
    announcements = [m for m in fake_slack.messages(incident(bot).announcement_channel_id) if "INC-1" in m["text"]]
    summaries = [m for m in fake_slack.messages(row.channel_id) if m["text"].startswith("INC-1 (sev1)")]
    assert (len(announcements), len(summaries), len(fake_slack.messages("U06CTO"))) == (1, 1, 0)
    assert fake_slack.pins(row.channel_id) == [incident(bot).summary_ts]
