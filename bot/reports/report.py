"""The incident report, drafted from the record: nothing in it is typed twice.

``build_draft`` turns an incident's rows (timeline, roles, pages, the report's fields, the action
items) into a ``Draft``: the sections in their order, each a list of ``Line``s. Texts stay in the
Slack markup the rows hold (mentions as ``<@U…>``); a renderer (the canvas and Markdown file in
``bot.slack.canvas``, the web page's template) reads them as words with ``Draft.words``, which is
also where a blameless report names every person by their role in the incident. The draft is
built again each time it is read, so it is never behind the rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import case, select
from sqlalchemy.orm import Session, object_session, sessionmaker

from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.core.durations import format_duration
from bot.core.errors import IncidentNotFound, UserError
from bot.core.loading import IncidentParts, Part
from bot.core.markup import plain
from bot.core.people import is_user
from bot.core.store import changing
from bot.reports.review import ReviewService, report_for, report_rows
from models import ActionItem, Incident, Page, PageNotification, Report, Role, TimelineEvent
from models.incident import incident_number
from models.report import FIELDS

TITLES = ("Summary", "Impact", "Root cause", "Resolution", "Timeline", "People involved", "What went well",
          "What went badly", "Where we got lucky", "Action items")
"""The report's sections, in INTERFACE.md's order."""
DRILL_TITLE = "Drill"
"""A drill's report has one section more, after the summary: each hop of the rehearsal with its time."""
FIELD_TITLES = dict(zip(FIELDS, ("Impact", "Root cause", "Resolution", "What went well", "What went badly",
                                 "Where we got lucky"), strict=True))
MISSING = {
    "impact": "Missing: who was affected, how many, how badly and for how long.",
    "root_cause": "Missing: why it happened, and why it was not caught sooner.",
    "resolution": "Missing: what fixed it.",
    "went_well": "Nothing written yet.",
    "went_badly": "Nothing written yet.",
    "lucky": "Nothing written yet.",
}
EDIT_HINT = "Fill it in with `/incident report edit`."
MAX_FIELD = 3000
LONG_TERM = ("corrective", "preventive")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)")
STAMP = "%a %d %b %Y %H:%M %Z"
TIME = "%a %d %b %H:%M:%S"


class Line(NamedTuple):
    """One statement of the report, in Slack markup (a tuple: a long timeline has thousands)."""

    text: str
    label: str | None = None  # what it is ("Declared"), shown before the text
    at: datetime | None = None  # when (timeline lines), shown first in the configured zone
    link: str | None = None  # where to read more: a pinned message, an action item's ticket
    struck: bool = False  # done (an action item)
    missing: bool = False  # what the commander has yet to write


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[Line, ...]
    prose: bool = False  # paragraphs someone wrote, rather than a list


@dataclass(frozen=True)
class Draft:
    incident_id: int
    number: str
    title: str
    state: str  # "Draft, incident still open", "Draft" or "Reviewed …"
    tz: ZoneInfo
    sections: tuple[Section, ...]
    blameless: bool
    aliases: dict[str, str] = field(default_factory=dict)  # blameless: every user id it names -> role in the incident

    def words(self, text: str, mention: Callable[[str], str] = lambda user: f"@{user}") -> str:
        """``text`` as words: a mention is ``mention(user)``, or in a blameless report the person's role,
        and so is any user id of the incident left bare in it."""
        if not self.blameless:
            return plain(text, mention)
        words = plain(text, lambda user: self.aliases.get(user, "someone"))
        return _BARE_ID.sub(lambda m: self.aliases.get(m[0], m[0]), words)

    def time(self, moment: datetime) -> str:
        """A timeline moment in the configured zone."""
        return moment.astimezone(self.tz).strftime(TIME)

    def shown(self, section: Section, mention: Callable[[str], str] = lambda user: f"@{user}") -> list[Shown]:
        """What each line of ``section`` shows, read as words: the one reading of the report's content
        that every renderer (Markdown, the web page) lays out in its own syntax."""
        return [(self.time(line.at) if line.at else None, line.label, self.words(line.text, mention), line.link,
                 line.struck, line.missing) for line in section.lines]

    def section(self, title: str) -> Section:
        return next(section for section in self.sections if section.title == title)


_BARE_ID = re.compile(r"\b[UW][A-Z0-9]{2,}\b")
Shown = tuple[str | None, str | None, str, str | None, bool, bool]
"""A line as words: (time, label, words, link, struck, missing)."""


class Event(Protocol):
    """A timeline event as the report reads it (a row of ``_EVENT``, or a ``TimelineEvent``)."""

    at: datetime
    actor: str | None
    kind: str
    text: str
    data: dict | None  # read only for the kinds in _WITH_DATA


_WITH_DATA = ("severity_changed", "update", "pinned", "role_assigned")
"""The kinds whose ``data`` the report reads: parsing every event's JSON would cost a long report most of its time."""
_EVENT = (TimelineEvent.at, TimelineEvent.actor, TimelineEvent.kind, TimelineEvent.text,
          case((TimelineEvent.kind.in_(_WITH_DATA), TimelineEvent.data)).label("data"))
_FOR_REPORT = IncidentParts(Part(Incident.roles), Part(Incident.pages, parts=(Part(Page.notifications),)))


def build_draft(incident: Incident, events: Sequence[Event], report: Report | None, actions: Sequence[ActionItem],
                config: IncidentConfig, now: datetime) -> Draft:
    """The report of ``incident`` as data, from its rows: its roles and pages loaded, its ``events`` in order."""
    blameless = config.reports.blameless if report is None or report.blameless is None else report.blameless
    writer = _Writer(incident, events, report, actions, config, now)
    sections = (
        Section("Summary", tuple(writer.summary())),
        *((Section(DRILL_TITLE, tuple(writer.drill_hops())),) if incident.drill else ()),
        writer.field("impact"),
        writer.field("root_cause"),
        Section("Resolution", tuple(writer.resolution()), prose=True),
        Section("Timeline", tuple(writer.timeline())),
        Section("People involved", tuple(writer.people())),
        writer.field("went_well"),
        writer.field("went_badly"),
        writer.field("lucky"),
        Section("Action items", tuple(writer.actions())),
    )
    aliases = _aliases(incident, _people(incident, events, report, actions)) if blameless else {}
    return Draft(incident.id, incident.number, incident.title, writer.state(), config.tz, sections, blameless, aliases)


class _Writer:
    def __init__(self, incident: Incident, events: Sequence[Event], report: Report | None,
                 actions: Sequence[ActionItem], config: IncidentConfig, now: datetime) -> None:
        self.incident, self.events, self.report, self.items = incident, events, report, actions
        self.config, self.now = config, now

    def stamp(self, moment: datetime) -> str:
        return moment.astimezone(self.config.tz).strftime(STAMP)

    def state(self) -> str:
        report = self.report
        if self.incident.is_open:
            return "Draft, incident still open"
        if report is not None and report.reviewed_at is not None:
            return f"Reviewed {self.stamp(report.reviewed_at)}"
        return "Draft"

    def summary(self) -> Iterable[Line]:
        incident, config = self.incident, self.config
        declared = incident.declared_at
        yield Line(incident.title, "Title")
        yield Line(incident.service or "not set", "Service")
        changes = [e for e in self.events if e.kind == "severity_changed"]
        first = changes[0].data.get("from") if changes else incident.severity
        now_is = config.severity_described(incident.severity)
        yield Line(now_is if not changes else f"{now_is}; declared {first}", "Severity")
        for event in changes:
            data = event.data
            verb = "downgraded" if data.get("downgrade") else "raised"
            reason = data.get("reason") or "no reason given"
            yield Line(f"{verb} from {data.get('from')} to {data.get('to')} {self.stamp(event.at)} by "
                       f"{_who(event.actor)}: {reason}", "Severity change")
        yield Line(f"{self.stamp(declared)} by {_who(incident.declared_by)}", "Declared")
        if incident.acknowledged_at:
            yield Line(f"{self.stamp(incident.acknowledged_at)} by {_who(incident.acknowledged_by)}", "Acknowledged")
        else:
            yield Line("never", "Acknowledged")
        yield Line(self.stamp(incident.mitigated_at) if incident.mitigated_at else "not separately", "Mitigated")
        yield Line(self.stamp(incident.resolved_at) if incident.resolved_at else "not yet", "Resolved")
        end = incident.resolved_at or self.now
        yield Line(format_duration(end - declared) + ("" if incident.resolved_at else " so far"), "Duration")
        yield Line(_after(incident.acknowledged_at, declared), "Time to acknowledge")
        yield Line(_after(incident.mitigated_at or incident.resolved_at, declared), "Time to mitigate")
        yield Line(_after(incident.resolved_at, declared), "Time to resolve")
        yield Line(self.how(), "How it ended")
        yield Line(incident.resolution_summary or "none given", "Resolution summary")
        yield Line(self.review(), "Review")

    def drill_hops(self) -> Iterable[Line]:
        """Declared → paged → reached by each way → acknowledged, each at its time and after the
        declaration, in the order they happened: how long the real path took, hop by hop."""
        incident, declared = self.incident, self.incident.declared_at
        hops = [(declared, "Declared", f"by {_who(incident.declared_by)}")]
        for page in incident.pages:
            for user, sent in _by_user(page.notifications).items():
                again = f" (paged {len(sent)} times in all on Slack)" if len(sent) > 1 else ""
                hops.append((sent[0].created_at, "Paged", f"{_who(user)}{again}"))
                reached = [n.sent_at for n in sent if n.sent_at is not None]
                if reached:
                    hops.append((min(reached), "Reached", f"{_who(user)} by Slack DM"))
            if page.acknowledged_at is not None:
                hops.append((page.acknowledged_at, "Acknowledged", f"the page of {_who(page.user_id)} by "
                                                                   f"{_who(page.acknowledged_by)}"))
        hops += [(e.at, "Reached", e.text.removeprefix("Reached ")) for e in self.events if e.kind == "page_step"]
        hops.sort(key=lambda hop: hop[0])
        for at, hop, text in hops:
            yield Line(f"{text}, {format_duration(at - declared)} after the declaration", hop, at=at)
        if incident.acknowledged_at is None:
            yield Line("Not acknowledged yet: the drill is not over until someone acknowledges.", "Acknowledged",
                       missing=True)

    def how(self) -> str:
        incident = self.incident
        if incident.is_open:
            return f"still open ({incident.status})"
        if incident.transient:
            return "transient: the alert resolved itself before anyone was paged"
        if incident.mitigated_at:
            return f"mitigated first (after {format_duration(incident.mitigated_at - incident.declared_at)}), then fixed"
        return "fixed outright, without a separate mitigation"

    def review(self) -> str:
        report = self.report
        if report is not None and report.reviewed_at is not None:
            return f"held {self.stamp(report.reviewed_at)}, marked by {_who(report.reviewed_by)}"
        if report is not None and report.review_due_at is not None:
            return f"due by {report.review_due_at.astimezone(self.config.tz):%a %d %b %Y}"
        if self.config.review_days(self.incident.severity) is None:
            return f"optional for {self.incident.severity}"
        return "due once the incident is resolved"

    def field(self, name: str) -> Section:
        text = getattr(self.report, name, None) if self.report else None
        if text and text.strip():
            return Section(FIELD_TITLES[name], (Line(text),), prose=True)
        return Section(FIELD_TITLES[name], (Line(f"{MISSING[name]} {EDIT_HINT}", missing=True),), prose=True)

    def resolution(self) -> Iterable[Line]:
        incident = self.incident
        written = (self.report.resolution if self.report else None) or incident.resolution_summary
        yield Line(written) if written and written.strip() else Line(f"{MISSING['resolution']} {EDIT_HINT}", missing=True)
        if incident.mitigated_at is None or incident.is_open:
            return
        owed = [a for a in self.items if a.type in LONG_TERM]
        open_ = [a for a in owed if a.is_open]
        if not owed:
            yield Line("The first fix was a mitigation: no corrective or preventive action item tracks the long-term "
                       "fix yet. Add one with `/incident action`.", missing=True)
        elif open_:
            yield Line("The first fix was a mitigation; the long-term fix is still owed: "
                       + "; ".join(f"action item {a.number} ({a.type}, {_who(a.owner)})" for a in open_) + ".")
        else:
            yield Line("The first fix was a mitigation; the long-term fix is done: action items "
                       + ", ".join(str(a.number) for a in owed) + ".")

    def timeline(self) -> Iterable[Line]:
        for event in self.events:
            yield Line(_one_line(event), at=event.at, link=event.data["permalink"] if event.kind == "pinned" else None)

    def people(self) -> Iterable[Line]:
        incident = self.incident
        assignments = sorted(incident.roles, key=lambda a: (a.started_at, a.id))
        for index, assignment in enumerate(assignments):
            role = Role(assignment.role)
            after = next((a for a in assignments[index + 1:] if a.role == assignment.role), None)
            until = (f"to {self.stamp(assignment.ended_at)}" if assignment.ended_at else
                     ("to the end" if not incident.is_open else "and still holds it"))
            handed = f", then handed to {_who(after.user_id)}" if after else ""
            yield Line(f"{_who(assignment.user_id)} from {self.stamp(assignment.started_at)} {until}{handed}", role.title)
        paged = _paged(incident.pages)
        for user, (first, level, count, answered) in paged.items():
            times = f", {count} times" if count > 1 else ""
            answer = f"answered: acknowledged {self.stamp(answered)}" if answered else "did not acknowledge"
            yield Line(f"{_who(user)} paged {self.stamp(first)} (level {level + 1}{times}); {answer}", "Paged")
        if incident.acknowledged_by:
            yield Line(f"{_who(incident.acknowledged_by)} {self.stamp(incident.acknowledged_at)}", "Acknowledged the incident")
        seen = {a.user_id for a in incident.roles} | set(paged) | {incident.acknowledged_by}
        named = (who for e in self.events for who in (e.actor, e.data.get("author") if e.data else None))
        others = [u for u in dict.fromkeys(named) if is_user(u) and u not in seen]
        if others:
            yield Line(", ".join(_who(u) for u in others), "Also took part")

    def actions(self) -> Iterable[Line]:
        if not self.items:
            yield Line("No action items yet: add them with `/incident action <text> [@owner] [p1|p2|p3] [due <date>]` "
                       "or the *Add action item* button.", missing=True)
            return
        today = self.now.astimezone(self.config.tz).date()
        for item in sorted(self.items, key=lambda a: a.number):
            due = f"due {item.due_on:%a %d %b %Y}" if item.due_on else "no due date"
            if item.done_at:
                state = f"done {self.stamp(item.done_at)}"
            elif item.due_on and item.due_on < today:
                state = "overdue"
            else:
                state = "open"
            details = ", ".join([f"owner {_who(item.owner)}", item.priority.upper(), item.type or "type not set", due, state])
            yield Line(f"{item.text} ({details})", str(item.number), link=item.tracker_url, struck=not item.is_open)


def _by_user(notifications: Sequence[PageNotification]) -> dict[str, list[PageNotification]]:
    found: dict[str, list[PageNotification]] = {}
    for notification in sorted(notifications, key=lambda n: (n.created_at, n.id)):
        found.setdefault(notification.user_id, []).append(notification)
    return found


def _who(user: str | None) -> str:
    if user is None:
        return "nobody"
    return f"<@{user}>" if is_user(user) else user


def _after(moment: datetime | None, start: datetime) -> str:
    return format_duration(moment - start) if moment else "not yet"


def _one_line(event: Event) -> str:
    """An event as one line of the report: what people typed keeps its words, not its line breaks."""
    if event.kind == "update":
        text = f"Update from {_who(event.actor)} ({event.data.get('status', '')}): {event.text}"
    elif event.kind == "note":
        text = f"{_who(event.actor)} noted: {event.text}"
    else:
        text = event.text
    return " ".join(text.split()) if "\n" in text or "  " in text or "\t" in text else text


def _paged(pages: Sequence[Page]) -> dict[str, tuple[datetime, int, int, datetime | None]]:
    """Each person paged: first page, first level, how many times, and when they acknowledged."""
    found: dict[str, tuple[datetime, int, int, datetime | None]] = {}
    for page in pages:
        for note in page.notifications:
            first, level, count, answered = found.get(note.user_id, (note.created_at, note.level, 0, None))
            if page.acknowledged_by == note.user_id:
                answered = page.acknowledged_at
            found[note.user_id] = (first, level, count + 1, answered)
    return found


def _people(incident: Incident, events: Sequence[Event], report: Report | None, actions: Sequence[ActionItem]) -> list[str]:
    """Every person the incident's rows name, in order of first appearance (role holders first)."""
    found = [a.user_id for a in sorted(incident.roles, key=lambda a: (a.started_at, a.id))]
    found += [incident.declared_by, incident.acknowledged_by]
    texts = [incident.title, incident.description, incident.resolution_summary, incident.latest_update]
    for event in events:
        found.append(event.actor)
        texts.append(event.text)
        if event.data:
            found += [event.data.get(key) for key in ("user", "previous", "author")]
            texts.append(event.data.get("text"))
    for page in incident.pages:
        found += [page.user_id, page.acknowledged_by, page.requested_by] + [n.user_id for n in page.notifications]
    for item in actions:
        found += [item.owner, item.created_by, item.done_by]
        texts.append(item.text)
    if report is not None:
        found += [report.edited_by, report.reviewed_by]
        texts += [getattr(report, name) for name in FIELDS]
    found += [m for text in texts if text for m in _MENTION.findall(text)]
    return [user for user in dict.fromkeys(found) if isinstance(user, str) and is_user(user)]


def _aliases(incident: Incident, people: Sequence[str]) -> dict[str, str]:
    """Each person's role in the incident: the roles they held first ("Incident Commander", then
    "Incident Commander 2" for the next holder), everyone else "Responder 1", "Responder 2"…"""
    aliases: dict[str, str] = {}
    held: dict[str, int] = {}
    for assignment in sorted(incident.roles, key=lambda a: (a.started_at, a.id)):
        title = Role(assignment.role).title
        if assignment.user_id not in aliases:
            held[title] = held.get(title, 0) + 1
            aliases[assignment.user_id] = title if held[title] == 1 else f"{title} {held[title]}"
    responders = 0
    for user in people:
        if user not in aliases:
            responders += 1
            aliases[user] = f"Responder {responders}"
    return aliases


@dataclass(frozen=True)
class ReportForm:
    """What the report modal shows: the incident, the fields as stored, and whether it is blameless."""

    incident_id: int
    number: str
    fields: dict[str, str]
    blameless: bool


class ReportService:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock,
                 reviews: ReviewService) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock
        self._reviews = reviews

    def draft(self, incident_id: int) -> Draft:
        """The report as it stands now, from the rows. The timeline is read as plain rows, not ORM objects:
        a long incident's thousands of events then cost milliseconds, not a quarter of a second."""
        with self._sessions() as session:
            incident = _FOR_REPORT.read(session, incident_id)
            if incident is None:
                raise IncidentNotFound(f"There is no incident {incident_number(incident_id)}.")
            events = session.execute(select(*_EVENT).where(TimelineEvent.incident_id == incident_id)
                                     .order_by(TimelineEvent.at, TimelineEvent.id)).all()
            report, actions = report_rows(session, incident_id)
            return build_draft(incident, events, report, actions, self._config, self._clock.now())

    def request(self, incident_id: int) -> Incident:
        """``/incident report``: draft it, or refresh it, in Slack (an open incident's is marked draft)."""
        with changing(self._sessions, incident_id) as incident:
            report_for(object_session(incident), incident).requested_at = self._clock.now()
        return incident

    def form(self, incident_id: int) -> ReportForm:
        with self._sessions() as session:
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise IncidentNotFound(f"There is no incident {incident_number(incident_id)}.")
            report, _ = report_rows(session, incident_id)
        fields = {name: (getattr(report, name, None) or "") for name in FIELDS}
        if not fields["resolution"]:
            fields["resolution"] = incident.resolution_summary or ""
        blameless = self._config.reports.blameless if report is None or report.blameless is None else report.blameless
        return ReportForm(incident.id, incident.number, fields, blameless)

    def save(self, incident_id: int, actor: str, fields: dict[str, str | None], blameless: bool) -> Incident:
        """The commander's fields from the modal; the report re-renders from them everywhere."""
        texts = {name: (fields.get(name) or "").strip() or None for name in FIELDS}
        for name, text in texts.items():
            if text and len(text) > MAX_FIELD:
                raise UserError(f"{FIELD_TITLES[name]} is {len(text)} characters long; keep it under {MAX_FIELD}.",
                                field=name)
        with changing(self._sessions, incident_id) as incident:
            session = object_session(incident)
            report = report_for(session, incident)
            was_blameless = self._config.reports.blameless if report.blameless is None else report.blameless
            if not any(texts.values()) and blameless == was_blameless:
                raise UserError("The form is empty: write at least the impact or the root cause, or change the "
                                "blameless switch.", command="report_edit", field="impact")
            for name, text in texts.items():
                setattr(report, name, text)
            if blameless != was_blameless:
                report.blameless = blameless
            now = self._clock.now()
            report.edited_by, report.edited_at, report.requested_at = actor, now, now
            self._reviews.on_report_changed(session, incident)
        return incident



