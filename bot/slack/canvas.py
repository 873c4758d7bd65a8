"""The report in Slack: Markdown rendered from the draft, as the incident channel's canvas, or as a
Markdown file where canvases are unavailable.

One renderer for every Markdown reader: the canvas (mentions in Slack's canvas syntax
``![](@U123)``, a long timeline folded with a link to the web page so that it stays under Slack's
1 MiB), and the file and ``GET /incidents/<n>/report.md`` (``@U123``, everything). What people
typed is escaped, so it can neither add structure nor hide a link.

``ReportPublisher.publish`` is a step of the Slack sync: it runs in every pass of an incident whose
report was asked for (resolution, ``/incident report``, the report form) and does only what Slack
lacks. The canvas is rewritten whole (``canvases.edit`` ``replace``) whenever the Markdown differs
from what it holds (a digest on the report row says what that is); the database is the report's one
source, so an edit typed into the canvas itself is overwritten, and the canvas says so. Where the
workspace refuses canvases, the refusal is recorded and each request posts a Markdown file instead;
the first file says why, once.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable

from slack_sdk.errors import SlackApiError
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.clock import Clock
from bot.reports.report import Draft, ReportService, Section
from bot.slack.blocks import report as blocks
from bot.slack.blocks.common import Rendering
from bot.slack.gateway import SlackGateway, error_code
from models import Incident, Report

log = logging.getLogger(__name__)

CANVAS_LIMIT = 1_048_576
"""Slack's limit on a canvas's Markdown: 1 MiB (1,048,576 characters)."""
CANVAS_BUDGET = 1_000_000
"""What the canvas renderer aims under, in UTF-8 bytes (stricter than characters), with room to spare."""
CANVAS_TIMELINE = 1000
"""A canvas shows at most this many timeline lines (the first and the latest); the web page has them all."""
CANVAS_LINE = 1500
"""A timeline line longer than this is cut in the canvas."""
TRANSIENT = frozenset({"ratelimited", "fatal_error", "service_unavailable", "request_timeout", "internal_error",
                       "canvas_editing_locked", "team_added_to_org"})
"""Canvas refusals that say "not now" rather than "not here": the sync tries again later."""

_INLINE = re.compile(r"[\\`*_\[\]<>~|]|!(?=\[)")
_LEADING = re.compile(r"^(\s*)([#>+\-]|\d+[.)])")
_HELD = re.compile("\x00([^\x00]+)\x00")


def canvas_mention(user: str) -> str:
    return f"![](@{user})"


def text_mention(user: str) -> str:
    return f"@{user}"


class _Markdown:
    """Markdown of one draft, with one way of writing a mention."""

    def __init__(self, draft: Draft, url: str, mention: Callable[[str], str]) -> None:
        self.draft, self.url, self.mention = draft, url, mention

    def escaped(self, words: str) -> str:
        """Words as Markdown that adds no structure; mentions (held aside as \\x00user\\x00) written after."""
        lines = words.split("\n") if "\n" in words else (words,)
        escaped = "\n".join(_LEADING.sub(r"\1\\\2", _INLINE.sub(r"\\\g<0>", line)) for line in lines)
        return _HELD.sub(lambda m: self.mention(m[1]), escaped) if "\x00" in escaped else escaped

    def text(self, text: str) -> str:
        return self.escaped(self.draft.words(text, _hold))

    def lines(self, section: Section) -> list[str]:
        shown = []
        for time, label, words, link, struck, missing in self.draft.shown(section, _hold):
            text = self.escaped(words)
            if label:
                text = f"**{label}**: {text}"
            if time:
                text = f"`{time}` {text}"
            if missing:
                text = f"_{text}_"
            if struck:
                text = f"~~{text}~~"
            if link:
                text += f" ([link]({link}))"
            shown.append(text)
        return shown

    def section(self, section: Section, lines: list[str] | None = None) -> str:
        lines = self.lines(section) if lines is None else lines
        body = "\n\n".join(lines) if section.prose else "\n".join(f"- {line}" for line in lines)
        return f"## {section.title}\n\n{body}\n"

    def head(self, canvas: bool) -> str:
        draft = self.draft
        note = f"*{self.text(draft.state)}* · drafted from {draft.number}'s record · [web page]({self.url})"
        if draft.blameless:
            note += " · blameless: people are named by their role"
        if canvas:
            note += ("\n\n_This canvas is rewritten from the record whenever the incident changes: edit the narrative "
                     "with `/incident report edit`, not here._")
        return f"# {draft.number}: {self.text(draft.title)}\n\n{note}\n"


def _hold(user: str) -> str:
    return f"\x00{user}\x00"


def report_markdown(draft: Draft, url: str, name: Callable[[str], str] | None = None) -> str:
    """The whole report as Markdown: for Slack's file, mentions (``@U…``); read outside Slack
    (``GET /incidents/<n>/report.md``), each person's ``name``."""
    markdown = _Markdown(draft, url, name or text_mention)
    return "\n".join([markdown.head(canvas=False), *(markdown.section(s) for s in draft.sections)])


def canvas_markdown(draft: Draft, url: str) -> str:
    """The report as the channel canvas holds it: mentions Slack shows as names, and the timeline folded
    (its first and latest lines, a link to the rest) to stay well under Slack's 1 MiB."""
    markdown = _Markdown(draft, url, canvas_mention)
    timeline = draft.section("Timeline")
    lines = [_cut(line, CANVAS_LINE) for line in markdown.lines(timeline)]
    keep = min(len(lines), CANVAS_TIMELINE)
    while True:
        folded = _fold(lines, keep, url)
        parts = [markdown.head(canvas=True)]
        parts += [markdown.section(s, folded if s is timeline else None) for s in draft.sections]
        text = "\n".join(parts)
        if len(text.encode()) <= CANVAS_BUDGET or keep == 0:
            return text if len(text.encode()) <= CANVAS_BUDGET else _cut(text, CANVAS_BUDGET // 4)
        keep //= 2


def _fold(lines: list[str], keep: int, url: str) -> list[str]:
    """The first tenth and the latest of ``keep`` lines, and a line saying where the rest is."""
    if len(lines) <= keep:
        return lines
    head = keep // 10
    tail = keep - head
    hidden = len(lines) - keep
    return [*lines[:head], f"_… {hidden:,} more events: the whole timeline is on [the web page]({url})._",
            *(lines[-tail:] if tail else [])]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _refusal(exc: SlackApiError) -> str:
    """Slack's code for a refusal that stands (canvases off, files off); a temporary one is raised again,
    for the sync to try later."""
    code = error_code(exc)
    if code in TRANSIENT or code.startswith("HTTP "):
        raise exc
    return code


def digest(markdown: str) -> str:
    return hashlib.sha256(markdown.encode()).hexdigest()


class ReportPublisher:
    """Keeps the incident channel's canvas (or, where canvases are unavailable, its Markdown files) in
    line with the report; one step of each sync pass."""

    def __init__(self, sessions: sessionmaker[Session], gateway: SlackGateway, reports: ReportService,
                 rendering: Rendering, clock: Clock) -> None:
        self._sessions = sessions
        self._slack = gateway
        self._reports = reports
        self._rendering = rendering
        self._clock = clock

    def publish(self, incident: Incident) -> None:
        """The report's canvas (or file) brought in line, once the report was asked for in Slack (drafted at
        resolution, or on request); ``incident`` as a sync pass read it, its report row with it."""
        report = incident.report
        if report is None or report.requested_at is None:
            return
        draft = self._reports.draft(incident.id)
        url = self._rendering.report_url(incident.id)
        if report.canvas_unavailable is None:
            try:
                self._canvas(incident, report, draft, canvas_markdown(draft, url))
                return
            except SlackApiError as exc:
                code = _refusal(exc)
                log.warning("INC-%s: canvases are unavailable here (%s); the report goes as a Markdown file",
                            incident.id, code)
                report.canvas_unavailable = code
                self._record(report, canvas_unavailable=code)
        self._file(incident, report, draft, url)

    def _canvas(self, incident: Incident, report: Report, draft: Draft, markdown: str) -> None:
        """Create the channel canvas, or rewrite it if it holds something else. A channel canvas someone
        made before the bot stays theirs: the report is then a canvas of its own, tabbed in the channel."""
        wanted = digest(markdown)
        if report.canvas_id is not None:
            if wanted == report.canvas_digest:
                return
            try:
                self._slack.replace_canvas(report.canvas_id, markdown)
                self._record(report, canvas_digest=wanted)
                return
            except SlackApiError as exc:
                if error_code(exc) != "canvas_not_found":
                    raise
                log.info("INC-%s: the report's canvas was deleted; making a new one", incident.id)
        title = f"{incident.number} report: {draft.words(draft.title)}"[:200]
        try:
            canvas_id = self._slack.create_channel_canvas(incident.channel_id, title, markdown)
        except SlackApiError as exc:
            if error_code(exc) != "channel_canvas_already_exists":
                raise
            canvas_id = self._slack.create_tabbed_canvas(incident.channel_id, title, markdown)
        self._record(report, canvas_id=canvas_id, canvas_digest=wanted)

    def _file(self, incident: Incident, report: Report, draft: Draft, url: str) -> None:
        """A Markdown file for each request the last file did not answer; the first says why it is a file.
        Where Slack refuses files too, the channel is told where the report is instead."""
        if report.file_requested_at is not None and report.file_requested_at >= report.requested_at:
            return
        comment = blocks.report_file_comment(incident, url, report.canvas_unavailable, first=report.file_id is None)
        try:
            file_id = self._slack.upload_markdown(incident.channel_id, f"{incident.number}-report.md",
                                                  f"{incident.number} report", report_markdown(draft, url), comment)
        except SlackApiError as exc:
            code = _refusal(exc)
            log.warning("INC-%s: Slack refuses the report's file too (%s)", incident.id, code)
            self._slack.post(incident.channel_id, blocks.report_nowhere(incident, url, report.canvas_unavailable, code))
            file_id = report.file_id
        self._record(report, file_id=file_id, file_requested_at=report.requested_at)

    def _record(self, report: Report, **values) -> None:
        """What Slack now has: a plain UPDATE, which is no change to the incident (no new sync pass)."""
        with self._sessions() as session, session.begin():
            session.execute(update(Report).where(Report.id == report.id).values(values))
