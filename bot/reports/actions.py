"""Action items: what the incident taught, each with an owner, a priority and a due date, followed
up until done.

An item belongs to its incident and is numbered within it (``/incident action done 2``). Its owner
(the commander unless someone else is named) is told by DM when it is assigned, the business day
before it is due and the business morning after it is overdue: the last two are timer rows with
keys of their own, and each handler checks under the incident's lock that the item is still open
and that no earlier run already owed the DM, so each is sent once however many workers run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session, sessionmaker

from bot.config import IncidentConfig
from bot.core.business_hours import next_opening
from bot.core.calendar import local_day, midnight
from bot.core.clock import Clock
from bot.core.errors import InvalidTransition, UserError, code
from bot.core.store import changing
from bot.jobs import timers
from bot.reports.review import ReviewService, opening
from models import ActionItem, ActionType, Delivery, Incident, Priority, Role
from models.incident import incident_number

ACTION_DUE = "action_due"
"""The business day before an item is due."""
ACTION_OVERDUE = "action_overdue"
"""The business morning after its due day."""
KINDS = (ACTION_DUE, ACTION_OVERDUE)
MAX_TEXT = 500


@dataclass(frozen=True)
class NewAction:
    """An action item as someone asked for it; ``owner`` None: the commander owns it."""

    text: str
    owner: str | None = None
    priority: str = Priority.P2
    type: str | None = None
    due_on: date | None = None
    tracker_url: str | None = None


@dataclass(frozen=True)
class OwnedAction:
    """An open item someone owns, with its incident's number (``/incident actions mine``)."""

    item: ActionItem
    number: str


class ActionService:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock,
                 reviews: ReviewService) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock
        self._reviews = reviews

    # -- what people do ------------------------------------------------------------------------

    def add(self, incident_id: int, actor: str, new: NewAction) -> ActionItem:
        text = " ".join(new.text.split())
        if not text:
            raise UserError("An action item needs a text: what should be done.", command="action", field="text")
        if len(text) > MAX_TEXT:
            raise UserError(f"The action item is {len(text)} characters long; keep it under {MAX_TEXT} and put the "
                            "details in its ticket.", command="action", field="text")
        priority = self.check_priority(new.priority)
        kind = self._check_type(new.type)
        self.check_due(new.due_on)
        tracker = self._check_tracker(new.tracker_url)
        with changing(self._sessions, incident_id) as incident:
            session = object_session(incident)
            owner = new.owner or incident.holder(Role.COMMANDER) or actor
            number = (session.scalar(select(func.max(ActionItem.number)).where(ActionItem.incident_id == incident.id))
                      or 0) + 1
            now = self._clock.now()
            item = ActionItem(incident_id=incident.id, number=number, text=text, owner=owner, priority=priority,
                              type=kind, due_on=new.due_on, tracker_url=tracker, created_by=actor, created_at=now)
            session.add(item)
            session.flush()
            due = f", due {new.due_on:%a %d %b}" if new.due_on else ""
            incident.log(now, actor, "action_added", f"<@{actor}> added action item {number} for <@{owner}> "
                         f"({priority}{due}): {text}", {"action": number})
            if owner != actor:
                session.add(Delivery(incident_id=incident.id, user_id=owner, kind="action_assigned",
                                     action_item_id=item.id, created_at=now))
            self._schedule(session, item)
            self._reviews.on_report_changed(session, incident)
        return item

    def complete(self, incident_id: int, number: int, actor: str) -> ActionItem:
        """``/incident action done <n>``."""
        with changing(self._sessions, incident_id) as incident:
            session = object_session(incident)
            item = session.scalar(select(ActionItem).where(ActionItem.incident_id == incident.id,
                                                           ActionItem.number == number))
            if item is None:
                raise UserError(f"{incident.number} has no action item {number}; {code('/incident actions')} lists them.",
                                command="action_done")
            self._close(incident, item, actor)
        return item

    def complete_item(self, item_id: int, actor: str) -> ActionItem:
        """The *Done* button of a listed item."""
        with self._sessions() as session:
            incident_id = session.scalar(select(ActionItem.incident_id).where(ActionItem.id == item_id))
        if incident_id is None:
            raise UserError("That action item no longer exists.")
        with changing(self._sessions, incident_id) as incident:
            item = object_session(incident).get(ActionItem, item_id)
            self._close(incident, item, actor)
        return item

    def listed(self, incident_id: int) -> tuple[Incident, list[ActionItem]]:
        with self._sessions() as session:
            incident = session.get(Incident, incident_id)
            items = list(session.scalars(select(ActionItem).where(ActionItem.incident_id == incident_id)
                                         .order_by(ActionItem.number)))
        return incident, items

    def mine(self, user: str) -> list[OwnedAction]:
        """Every open item ``user`` owns, across incidents, the oldest due first (no due date last)."""
        with self._sessions() as session:
            rows = session.execute(
                select(ActionItem, Incident.id).join(Incident, Incident.id == ActionItem.incident_id)
                .where(ActionItem.owner == user, ActionItem.done_at.is_(None))
                .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.created_at, ActionItem.id)
            ).all()
        return [OwnedAction(item, incident_number(incident_id)) for item, incident_id in rows]

    # -- checks shared with the handlers -------------------------------------------------------

    def check_priority(self, text: str) -> str:
        try:
            return Priority(text.strip().lower())
        except ValueError:
            raise UserError(f"Unknown priority {code(text)}; use p1, p2 or p3.", command="action", field="priority") from None

    def check_due(self, due_on: date | None) -> None:
        today = self.today()
        if due_on is not None and due_on < today:
            raise UserError(f"The due date {due_on:%a %d %b %Y} is in the past (today is {today:%a %d %b %Y} in "
                            f"{self._config.timezone}); pick today or a later day.", command="action", field="due")

    def today(self) -> date:
        return local_day(self._clock.now(), self._config.tz)

    @staticmethod
    def _check_type(text: str | None) -> str | None:
        if not text:
            return None
        try:
            return ActionType(text.strip().lower())
        except ValueError:
            kinds = ", ".join(kind.value for kind in ActionType)
            raise UserError(f"Unknown type {code(text)}; use one of {kinds}.", field="type") from None

    @staticmethod
    def _check_tracker(url: str | None) -> str | None:
        if not url or not url.strip():
            return None
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UserError(f"{code(url)} is not a web address; paste the ticket's full link, starting with https://.",
                            field="tracker_url")
        return url.strip()

    # -- timer handlers ------------------------------------------------------------------------

    def fire_due(self, timer) -> None:
        self._remind(timer, ACTION_DUE)

    def fire_overdue(self, timer) -> None:
        self._remind(timer, ACTION_OVERDUE)

    def _remind(self, timer, kind: str) -> None:
        with changing(self._sessions, timer.incident_id, timeline=False) as incident:
            session = object_session(incident)
            item = session.get(ActionItem, timer.payload["item"])
            if item is None or not item.is_open:
                return
            sent = session.scalar(select(Delivery.id).where(Delivery.action_item_id == item.id, Delivery.kind == kind))
            if sent is None:  # else an earlier run of this reminder got as far as its DM
                session.add(Delivery(incident_id=item.incident_id, user_id=item.owner, kind=kind,
                                     action_item_id=item.id, created_at=self._clock.now()))

    # -- internals -----------------------------------------------------------------------------

    def _close(self, incident: Incident, item: ActionItem, actor: str) -> None:
        if not item.is_open:
            raise InvalidTransition(f"Action item {item.number} of {incident.number} is already done.")
        now = self._clock.now()
        item.done_at, item.done_by = now, actor
        incident.log(now, actor, "action_done", f"<@{actor}> closed action item {item.number}: {item.text}",
                     {"action": item.number})

    def _schedule(self, session: Session, item: ActionItem) -> None:
        """The reminder the business day before the due day (unless that is past) and the one after it."""
        if item.due_on is None:
            return
        hours, tz = self._config.business_hours, self._config.tz
        before = _business_day_before(item.due_on, hours.days)
        soon = opening(self._config, before)
        if soon > self._clock.now():
            timers.schedule(session, ACTION_DUE, soon, incident_id=item.incident_id, payload={"item": item.id},
                            key=f"action:{item.id}:due")
        late = next_opening(hours, tz, midnight(item.due_on + timedelta(days=1), tz))
        timers.schedule(session, ACTION_OVERDUE, late, incident_id=item.incident_id, payload={"item": item.id},
                        key=f"action:{item.id}:overdue")


def _business_day_before(day: date, days: tuple[int, ...]) -> date:
    day -= timedelta(days=1)
    while day.weekday() not in days:
        day -= timedelta(days=1)
    return day
