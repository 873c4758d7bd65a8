"""The report in Slack: the incident channel's canvas, kept current, or a Markdown file where canvases
are unavailable, said once. Every call is checked by the fake Slack against the method reference."""

from __future__ import annotations

from datetime import timedelta
from functools import reduce

import pytest
import yaml
from slack_sdk import WebClient

from bot.app import retry_slack_sync
from bot.reports.report import TITLES
from bot.slack.ids import ReportField
from tests.db import ROOT
from tests.integration.helpers import declare, in_channel, incident
from tests.integration.reports.helpers import TOKEN, add_action_with_form, fill_report, report_md, sections
from tests.people import NAMES, read_twice

FREE_WORKSPACE = "team_tier_cannot_create_channel_canvases"


@pytest.fixture
def bot(make_bot):
    return make_bot(CONSOLE_TOKEN=TOKEN)


def resolved(bot) -> int:
    row = declare(bot, "declare sev2 Search is slow")
    in_channel(bot, "resolve Restarted the search cluster", row)
    return row.id


def test_resolution_drafts_the_report_as_the_channel_canvas(bot, fake_slack):
    incident_id = resolved(bot)
    row = incident(bot, incident_id)
    [created] = fake_slack.calls_to("conversations.canvases.create")
    assert (created.args["channel_id"], created.args["title"]) == (row.channel_id, "INC-1 report: Search is slow")
    canvas = fake_slack.channel_canvas(row.channel_id)
    assert tuple(sections(canvas["markdown"])) == TITLES
    assert "**Declared**: Mon 23 Nov 2026 09:00 UTC by ![](@U01ALICE)" in canvas["markdown"], "Slack shows the name"
    assert "edit the narrative with `/incident report edit`" in canvas["markdown"]
    assert canvas["markdown"].replace("![](@U01ALICE)", "@U01ALICE").split("\n\n_This canvas")[0] == \
        report_md(bot, incident_id).body.decode().split("\n\n## Summary")[0]


def test_the_canvas_follows_every_change_and_only_changes(bot, fake_slack):
    incident_id = resolved(bot)
    channel = incident(bot, incident_id).channel_id
    in_channel(bot, "report", incident(bot, incident_id))
    assert (len(fake_slack.calls_to("conversations.canvases.create")), fake_slack.calls_to("canvases.edit")) == (1, []), \
        "asked again with nothing new: the canvas already says it"

    fill_report(bot, incident_id, {ReportField.IMPACT: "Search answered in 8 s instead of 200 ms for an hour."})
    [edit] = fake_slack.calls_to("canvases.edit")
    assert edit.args["changes"][0]["operation"] == "replace"
    assert "Search answered in 8 s instead of 200 ms" in sections(fake_slack.channel_canvas(channel)["markdown"])["Impact"]

    add_action_with_form(bot, incident_id, "Alert on search latency", type_="detective")
    assert "Alert on search latency" in sections(fake_slack.channel_canvas(channel)["markdown"])["Action items"]
    assert fake_slack.channel_canvas(channel)["edits"] == 2
    assert len(fake_slack.calls_to("conversations.canvases.create")) == 1
    assert incident(bot, incident_id).sync_error is None


def test_a_channel_canvas_someone_made_stays_theirs(bot, fake_slack):
    row = declare(bot, "declare sev2 Search is slow")
    human = WebClient(token="xoxb-someone", base_url=fake_slack.base_url)
    theirs = human.conversations_canvases_create(channel_id=row.channel_id, document_content={
        "type": "markdown", "markdown": "Our notes"})["canvas_id"]
    in_channel(bot, "resolve", row)
    assert fake_slack.canvases[theirs]["markdown"] == "Our notes"
    [tabbed] = [c for c in fake_slack.canvases.values() if c["id"] != theirs]
    assert (tabbed["channel_id"], tabbed["channel_canvas"]) == (row.channel_id, False)
    assert tabbed["title"].startswith("INC-1 report") and "## Timeline" in tabbed["markdown"]


def test_a_deleted_canvas_is_made_again(bot, fake_slack):
    incident_id = resolved(bot)
    channel = incident(bot, incident_id).channel_id
    WebClient(token="xoxb-someone", base_url=fake_slack.base_url).canvases_delete(
        canvas_id=fake_slack.channel_canvas(channel)["id"])
    fill_report(bot, incident_id, {ReportField.ROOT_CAUSE: "The index was rebuilt during peak hours."})
    assert [c.error for c in fake_slack.calls_to("canvases.edit")] == ["canvas_not_found"]
    assert "The index was rebuilt" in fake_slack.channel_canvas(channel)["markdown"]
    assert incident(bot, incident_id).sync_error is None


def test_where_canvases_are_unavailable_the_report_is_a_markdown_file_said_once(bot, fake_slack):
    fake_slack.fail("conversations.canvases.create", FREE_WORKSPACE, times=10)
    incident_id = resolved(bot)
    row = incident(bot, incident_id)
    [first] = fake_slack.files
    assert (first["filename"], first["title"], first["channel_id"]) == ("INC-1-report.md", "INC-1 report", row.channel_id)
    web = read_twice(bot, lambda: report_md(bot, incident_id)).body.decode()
    assert "@U01ALICE" in first["content"], "Slack's copy keeps the mention, which Slack renders"
    assert reduce(lambda text, user: text.replace(f"@{user}", NAMES[user]), NAMES, first["content"]) == web
    assert first["initial_comment"].startswith(
        f":page_facing_up: Canvases are not available in this workspace ({FREE_WORKSPACE}), so the report of INC-1 "
        "is posted here as a Markdown file instead.")
    assert any(m.get("files") and m["files"][0]["id"] == first["id"] for m in fake_slack.messages(row.channel_id))

    bot.clock.advance(timedelta(minutes=5))
    fill_report(bot, incident_id, {ReportField.IMPACT: "Search answered in 8 s for an hour."})
    in_channel(bot, "note Search latency is back to 200 ms", row)  # no request: no file
    bot.clock.advance(timedelta(minutes=5))
    in_channel(bot, "report", row)
    first, second, third = fake_slack.files
    assert "Search answered in 8 s for an hour." in second["content"]
    assert "Search latency is back to 200 ms" in third["content"]
    for later in (second, third):
        assert later["initial_comment"].startswith(":page_facing_up: The report of INC-1, updated.")
        assert "not available" not in later["initial_comment"]
    assert len(fake_slack.calls_to("conversations.canvases.create")) == 1, "the refusal is remembered"
    assert fake_slack.canvases == {} and incident(bot, incident_id).sync_error is None


def test_a_canvas_slack_cannot_make_right_now_is_made_later(bot, fake_slack):
    fake_slack.fail("conversations.canvases.create", "fatal_error")
    incident_id = resolved(bot)
    assert incident(bot, incident_id).sync_error == "could not publish the report: fatal_error"
    bot.clock.advance(timedelta(minutes=1))
    retry_slack_sync(bot.ctx)
    bot.settle()
    assert fake_slack.channel_canvas(incident(bot, incident_id).channel_id) is not None
    assert fake_slack.files == [] and incident(bot, incident_id).sync_error is None


def test_the_app_manifest_grants_what_the_canvas_and_the_file_need(bot, fake_slack):
    manifest = yaml.safe_load((ROOT / "slack-app-manifest.yaml").read_text())
    fake_slack.grant(manifest["oauth_config"]["scopes"]["bot"])
    resolved(bot)
    assert fake_slack.channel_canvas(incident(bot).channel_id) is not None
    fake_slack.fail("canvases.edit", "canvas_disabled_user_team")
    in_channel(bot, "report", incident(bot))
    bot.clock.advance(timedelta(minutes=1))
    fill_report(bot, 1, {ReportField.IMPACT: "Slow search for an hour."})
    assert len(fake_slack.files) == 1 and "canvas_disabled_user_team" in fake_slack.files[0]["initial_comment"]
    assert [c for c in fake_slack.calls if c.error == "missing_scope"] == []


def test_where_slack_takes_neither_a_canvas_nor_a_file_the_channel_is_told_where_the_report_is(bot, fake_slack):
    fake_slack.fail("conversations.canvases.create", FREE_WORKSPACE)
    fake_slack.fail("files.getUploadURLExternal", "file_uploads_disabled")
    incident_id = resolved(bot)
    row = incident(bot, incident_id)
    [told] = [m["text"] for m in fake_slack.messages(row.channel_id) if m["text"].startswith(":page_facing_up:")]
    assert told == (f":page_facing_up: Slack refuses both a canvas ({FREE_WORKSPACE}) and a file (file_uploads_disabled) "
                    f"here, so the report of INC-1 is on <{bot.ctx.rendering.report_url(incident_id)}|its web page> only.")
    assert row.sync_error is None, "a refusal that stands is not retried every minute"
    bot.clock.advance(timedelta(minutes=1))
    fill_report(bot, incident_id, {ReportField.IMPACT: "Slow search."})
    assert len(fake_slack.files) == 1, "asked again: a file, which Slack may take by now"
    assert [c.error for c in fake_slack.calls_to("files.getUploadURLExternal")] == ["file_uploads_disabled", None]
