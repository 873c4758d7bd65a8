"""The report drafts itself from the rows: a whole incident driven through the real app, then every
section of the report checked against what the database holds, named and blameless."""

from __future__ import annotations

import http.client
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.core.durations import format_duration
from bot.core.markup import plain
from bot.reports.report import TITLES
from bot.slack.ids import ReportField
from models import ActionItem, Report
from tests.integration.helpers import in_channel, incident
from tests.integration.reports.helpers import (
    CONFIG,
    FIELDS,
    TOKEN,
    add_action_with_form,
    fill_report,
    report_html,
    report_md,
    sections,
    unescaped,
    whole_incident,
)
from tests.people import NAMES, assert_named, read_twice

ROME = ZoneInfo("Europe/Rome")
PEOPLE = ["U01ALICE", "U02BOB", "U03CAROL", "U04DAVE"]


def stamp(moment) -> str:
    return moment.astimezone(ROME).strftime("%a %d %b %Y %H:%M %Z")


@pytest.fixture
def bot(make_bot):
    return make_bot(config=CONFIG, CONSOLE_TOKEN=TOKEN)


@pytest.fixture
def reported(bot, fake_slack):
    """A whole incident, its report filled in, two action items (one done, one still owed)."""
    incident_id = whole_incident(bot, fake_slack)
    row = incident(bot, incident_id)
    in_channel(bot, "action Add an EU canary for the payment client <@U02BOB|bob> p1 due fri", row)
    assert add_action_with_form(bot, incident_id, "Alert on payment client timeouts", owner="U03CAROL", priority="p2",
                                type_="detective", tracker="https://tracker.example.com/OPS-7").json() is None
    in_channel(bot, "action done 2", row, user="U03CAROL")
    assert fill_report(bot, incident_id).json() is None
    return incident_id


def rows(bot, incident_id: int):
    with bot.ctx.sessions() as session:
        report = session.scalar(select(Report).where(Report.incident_id == incident_id))
        items = list(session.scalars(select(ActionItem).order_by(ActionItem.number)))
    return incident(bot, incident_id), report, items


def bullets(body: str) -> list[str]:
    return [line[2:] for line in body.split("\n") if line.startswith("- ")]


def test_every_section_of_the_report_says_what_the_rows_say(bot, fake_slack, reported):
    response = read_twice(bot, lambda: report_md(bot, reported))
    assert response.status == 200
    markdown = response.body.decode()
    assert_named(markdown, PEOPLE)
    found = sections(markdown)
    assert tuple(found) == TITLES
    row, report, items = rows(bot, reported)
    downgrade = next(e for e in row.events if e.kind == "severity_changed")

    assert bullets(found["Summary"]) == [
        f"**Title**: {row.title}",
        f"**Service**: {row.service}",
        "**Severity**: sev2 (Major); declared sev1",
        f"**Severity change**: downgraded from sev1 to sev2 {stamp(downgrade.at)} by {NAMES['U01ALICE']}: {downgrade.data['reason']}",
        f"**Declared**: {stamp(row.declared_at)} by {NAMES[row.declared_by]}",
        f"**Acknowledged**: {stamp(row.acknowledged_at)} by {NAMES[row.acknowledged_by]}",
        f"**Mitigated**: {stamp(row.mitigated_at)}",
        f"**Resolved**: {stamp(row.resolved_at)}",
        f"**Duration**: {format_duration(row.resolved_at - row.declared_at)}",
        f"**Time to acknowledge**: {format_duration(row.acknowledged_at - row.declared_at)}",
        f"**Time to mitigate**: {format_duration(row.mitigated_at - row.declared_at)}",
        f"**Time to resolve**: {format_duration(row.resolved_at - row.declared_at)}",
        f"**How it ended**: mitigated first (after {format_duration(row.mitigated_at - row.declared_at)}), then fixed",
        f"**Resolution summary**: {row.resolution_summary}",
        f"**Review**: due by {report.review_due_at.astimezone(ROME):%a %d %b %Y}",
    ]
    assert report.review_due_at.astimezone(ROME).date() == (row.resolved_at + timedelta(days=7)).date(), \
        "sev2: five business days after a Monday is the next Monday"

    for field, title in ((ReportField.IMPACT, "Impact"), (ReportField.ROOT_CAUSE, "Root cause"),
                         (ReportField.WENT_WELL, "What went well"), (ReportField.WENT_BADLY, "What went badly"),
                         (ReportField.LUCKY, "Where we got lucky")):
        assert unescaped(found[title]) == FIELDS[field]
    written, owed = found["Resolution"].split("\n\n")
    assert unescaped(written) == report.resolution
    assert owed == "_The first fix was a mitigation: no corrective or preventive action item tracks the long-term fix " \
                   "yet. Add one with \\`/incident action\\`._", "mitigated first, and neither item is corrective"

    timeline = bullets(found["Timeline"])
    assert len(timeline) == len(row.events)
    for line, event in zip(timeline, row.events, strict=True):
        assert line.startswith(f"`{event.at.astimezone(ROME):%a %d %b %H:%M:%S}` "), line
        assert " ".join(plain(event.text, NAMES.get).split()) in unescaped(line), (event.kind, line)
    kinds = {event.kind for event in row.events}
    assert {"declared", "paged", "acknowledged", "role_assigned", "update", "severity_changed", "note", "pinned",
            "status_changed", "resolved", "action_added", "action_done"} <= kinds
    pinned = next(e for e in row.events if e.kind == "pinned")
    assert f"([link]({pinned.data['permalink']}))" in timeline[row.events.index(pinned)]

    bob_paged = next(n for p in row.pages for n in p.notifications if n.user_id == "U02BOB")
    carol_page = next(p for p in row.pages if p.user_id == "U03CAROL")
    assert bullets(found["People involved"]) == [
        f"**Incident Commander**: {NAMES['U01ALICE']} from {stamp(row.declared_at)} to the end",
        f"**Communication Lead**: {NAMES['U02BOB']} from {stamp(row.acknowledged_at)} to the end",
        f"**Paged**: {NAMES['U02BOB']} paged {stamp(bob_paged.created_at)} (level 1); answered: acknowledged {stamp(row.acknowledged_at)}",
        f"**Paged**: {NAMES['U03CAROL']} paged {stamp(carol_page.started_at)} (level 1); answered: acknowledged "
        f"{stamp(carol_page.acknowledged_at)}",
        f"**Acknowledged the incident**: {NAMES['U02BOB']} {stamp(row.acknowledged_at)}",
        f"**Also took part**: {NAMES['U04DAVE']}",
    ]

    canary, alert = items
    assert bullets(found["Action items"]) == [
        f"**1**: Add an EU canary for the payment client (owner {NAMES['U02BOB']}, P1, type not set, due {canary.due_on:%a %d %b %Y}, open)",
        f"~~**2**: Alert on payment client timeouts (owner {NAMES['U03CAROL']}, P2, detective, no due date, done "
        f"{stamp(alert.done_at)})~~ ([link](https://tracker.example.com/OPS-7))",
    ]


def test_a_blameless_report_names_every_person_by_their_role_and_no_user_id_survives(bot, fake_slack, reported):
    assert fill_report(bot, reported, blameless=True).json() is None
    markdown = report_md(bot, reported).body.decode()
    page = report_html(bot, reported).body.decode()
    canvas = fake_slack.channel_canvas(incident(bot, reported).channel_id)["markdown"]
    draft = bot.ctx.reports.draft(reported)
    assert set(PEOPLE) <= set(draft.aliases)
    for text in (markdown, page, canvas):
        assert [user for user in draft.aliases if user in text] == []
        assert "<@" not in text and "![](@" not in text
    found = sections(markdown)
    assert "**Declared**: " in found["Summary"] and found["Summary"].count("by Incident Commander") >= 2
    assert "**Acknowledged**:" in found["Summary"] and "by Communication Lead" in found["Summary"]
    assert ":pushpin: Responder 2: Error rate is back to normal, thanks Communication Lead (pinned by Responder 1)" \
        in found["Timeline"], "names inside a copied message are replaced too"
    assert "Paged Responder 1: level 1 (Incident Commander paged Responder 1)" in found["Timeline"]
    assert "(owner Communication Lead, P1" in found["Action items"]
    assert "blameless: people are named by their role" in markdown

    assert fill_report(bot, reported, blameless=False).json() is None
    assert NAMES["U01ALICE"] in read_twice(bot, lambda: report_md(bot, reported)).body.decode(), "the switch works both ways"


def test_the_configuration_makes_every_report_blameless(make_bot, fake_slack):
    bot = make_bot(config={**CONFIG, "reports": {"blameless": True}}, CONSOLE_TOKEN=TOKEN)
    incident_id = whole_incident(bot, fake_slack)
    markdown = report_md(bot, incident_id).body.decode()
    assert [user for user in PEOPLE if user in markdown] == []
    assert "Incident Commander declared INC-1 (sev1): Checkout is down" in markdown


def test_the_web_page_has_the_same_sections_escapes_what_people_typed_and_strikes_done_items(bot, fake_slack, reported):
    in_channel(bot, "note The payload was &lt;script&gt;alert(1)&lt;/script&gt; &amp; more", incident(bot, reported))
    response = report_html(bot, reported)
    assert response.status == 200
    page = response.body.decode()
    assert [page.index(f"<h2>{title}</h2>") for title in TITLES] == sorted(page.index(f"<h2>{t}</h2>") for t in TITLES)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert "<del>Alert on payment client timeouts" in page
    assert f'<a href="{bot.ctx.rendering.report_url(reported)}.md">Markdown</a>' in page
    assert "\\<script\\>alert(1)\\</script\\> & more" in report_md(bot, reported).body.decode()


def unfollowed(url: str) -> tuple[int, str | None]:
    """The status and Location of a GET, redirects not followed."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", parts.path)
        answer = connection.getresponse()
        return answer.status, answer.getheader("Location")
    finally:
        connection.close()


def test_the_report_pages_need_a_sign_in(bot, fake_slack, reported):
    assert unfollowed(f"{bot.url}/incidents/{reported}/report") == (303, f"/auth/signin?next=/incidents/{reported}/report")
    markdown = report_md(bot, reported, token="wrong")
    assert (markdown.status, markdown.json()) == (401, {"error": "sign in first, or send Authorization: Bearer <CONSOLE_TOKEN>"})
    assert report_md(bot, 99).status == 404
    assert report_html(bot, 99).status == 404
    assert report_html(bot, reported, token=TOKEN).status == 200
    inc = report_md(bot, f"INC-{reported}")
    assert inc.status == 200 and inc.body.startswith(b"# INC-1: Checkout is down"), "INC-1 redirects to 1"


def test_a_report_on_an_open_incident_is_a_draft_and_says_so(bot, fake_slack):
    from tests.integration.reports.helpers import declare_with_form

    row = declare_with_form(bot, severity="sev3", service=None)
    answer = in_channel(bot, "report", row)
    assert "(a *draft*: the incident is still open)" in answer["text"]
    assert f"{bot.ctx.rendering.report_url(row.id)}" in answer["text"]
    markdown = report_md(bot, row.id).body.decode()
    assert "*Draft, incident still open*" in markdown
    found = sections(markdown)
    assert "**Resolved**: not yet" in found["Summary"] and "**Duration**: 0s so far" in found["Summary"]
    assert "_Missing: who was affected" in found["Impact"] and "**Review**: optional for sev3" in found["Summary"]
    canvas = fake_slack.channel_canvas(row.channel_id)
    assert canvas is not None and "*Draft, incident still open*" in canvas["markdown"]


def test_report_edit_opens_the_form_with_what_is_stored(bot, fake_slack, reported):
    in_channel(bot, "report edit", incident(bot, reported))
    [form] = fake_slack.views
    assert form["view"]["private_metadata"] == str(reported)
    shown = {b["block_id"]: b["element"].get("initial_value") for b in form["view"]["blocks"]}
    assert shown[ReportField.ROOT_CAUSE] == FIELDS[ReportField.ROOT_CAUSE]
    assert "initial_options" not in form["view"]["blocks"][-1]["element"], "named: the switch is off"
