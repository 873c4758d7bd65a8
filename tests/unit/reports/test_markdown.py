"""The report as Markdown: what people typed cannot add structure or hide a link, mentions are Slack's
in the canvas, a long timeline is folded under Slack's 1 MiB with a link to the whole of it."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.reports.report import TITLES, Draft, Line, Section
from bot.slack.canvas import CANVAS_BUDGET, CANVAS_LIMIT, canvas_markdown, report_markdown

URL = "https://bot.example.com/incidents/7/report"
START = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)


def draft(timeline: list[Line] | None = None, impact: str = "Checkout failed", blameless: bool = False,
          aliases: dict | None = None) -> Draft:
    sections = [Section(title, (Line("–"),)) for title in TITLES]
    sections[1] = Section("Impact", (Line(impact),), prose=True)
    sections[4] = Section("Timeline", tuple(timeline or [Line("<@U01ALICE> declared INC-7", at=START)]))
    return Draft(7, "INC-7", "Checkout is down", "Draft", ZoneInfo("Europe/Rome"), tuple(sections), blameless,
                 aliases or {})


def body(markdown: str, title: str) -> str:
    return markdown.split(f"## {title}\n\n", 1)[1].split("\n## ", 1)[0].strip()


def test_typed_text_cannot_add_a_heading_a_list_or_a_masked_link():
    markdown = report_markdown(draft(impact="## Root cause\n- fake item\n[Runbook](https://evil.example)\n![](@U09X)"), URL)
    assert body(markdown, "Impact") == "\\## Root cause\n\\- fake item\n\\[Runbook\\](https://evil.example)\n\\!\\[\\](@U09X)"
    assert markdown.count("\n## Root cause") == 1


def test_mentions_are_names_in_the_canvas_and_ids_in_the_file():
    line = [Line("<@U01ALICE> paged <@U02BOB|bob> about <!here> *now*", at=START)]
    assert body(canvas_markdown(draft(line), URL), "Timeline") == \
        "- `Mon 23 Nov 10:00:00` ![](@U01ALICE) paged ![](@U02BOB) about @here \\*now\\*"
    assert body(report_markdown(draft(line), URL), "Timeline") == \
        "- `Mon 23 Nov 10:00:00` @U01ALICE paged @U02BOB about @here \\*now\\*"


def test_blameless_words_replace_mentions_and_bare_ids():
    line = [Line("<@U01ALICE> asked U02BOB and <@U03CAROL>", at=START)]
    aliases = {"U01ALICE": "Incident Commander", "U02BOB": "Responder 1", "U03CAROL": "Responder 2"}
    text = canvas_markdown(draft(line, blameless=True, aliases=aliases), URL)
    assert "Incident Commander asked Responder 1 and Responder 2" in text and "U0" not in text


def test_a_long_timeline_is_folded_under_slacks_limit_with_a_link_to_the_rest():
    lines = [Line(f"<@U01ALICE> noted: {'x' * 900} {n}", at=START + timedelta(seconds=n)) for n in range(5000)]
    text = canvas_markdown(draft(lines), URL)
    assert len(text.encode()) <= CANVAS_BUDGET < CANVAS_LIMIT
    timeline = body(text, "Timeline").split("\n")
    assert len(timeline) == 1001 and f"more events: the whole timeline is on [the web page]({URL})" in timeline[100]
    assert timeline[0].endswith(" 0") and timeline[-1].endswith(" 4999"), "the start and the latest are kept"
    assert len(body(report_markdown(draft(lines), URL), "Timeline").split("\n")) == 5000, "the file has it all"


def test_a_huge_timeline_folds_further_until_it_fits():
    lines = [Line("y" * 3000, at=START) for _ in range(2000)]
    text = canvas_markdown(draft(lines), URL)
    assert len(text.encode()) <= CANVAS_BUDGET
    assert "more events" in text and text.count("yyy…") >= 100
