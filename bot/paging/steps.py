"""Notification rules run as steps: push at 1 m, SMS at 3 m, a call at 5 m, until someone acknowledges.

When a person is first paged for a page, each step of their rules that can reach them (the way is on
and they registered an address for it) becomes a ``page_deliveries`` row and a ``page.step`` timer,
written in the transaction that records the page, so a crash or a second worker loses or doubles
none. The acknowledgement cancels the timers and the rows. A worker fires a step without locking
the incident: it reads the row, sends, then records the outcome and a timeline line. A provider's
failure that may pass (5xx, a timeout, 429) is retried with the timers' backoff; an attempt whose
answer was lost is looked up with the provider before sending again, where the provider allows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session, selectinload, sessionmaker

from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.core.drills import marked
from bot.core.errors import PageNotDelivered
from bot.core.store import changing
from bot.jobs import timers
from bot.jobs.timers import TryAgain
from bot.paging.ack_links import AckLinks
from bot.paging.contacts import METHOD_NAMES, ContactService
from models import DeliveryState, Incident, Page, PageDelivery, PageState, TimelineEvent

log = logging.getLogger(__name__)

PAGE_STEP = "page.step"


@dataclass(frozen=True)
class Outgoing:
    """One step's page as every provider needs it; ``key`` is unique to the delivery row."""

    key: str
    method: str
    address: str
    title: str
    text: str
    speech: str
    ack_url: str | None
    ack_token: str | None


class Senders(Protocol):
    """The ways to page besides Slack (``bot.channels.Channels``); each raises ``PageNotDelivered``."""

    def methods(self) -> frozenset[str]:
        """The ways that are on (their settings are present)."""
        ...

    def send(self, message: Outgoing) -> str:
        """Hand the page to its provider; the provider's id for it."""
        ...

    def already_sent(self, message: Outgoing) -> str | None:
        """The provider's id of this very page if an earlier attempt's answer was lost; None if unknown."""
        ...


def maybe_sent(delivery: PageDelivery) -> bool:
    """Whether an earlier attempt may have reached the provider: it failed (its answer may have been lost), or
    it took the row for sending and never said how that ended (its process died mid-send). Such a step is
    looked up before it goes again, and where the provider cannot say, goes marked a possible repeat; one
    that only waited for a send rate was put back to pending, never sent, and needs no look-up."""
    return delivery.attempts > 0 or delivery.state == DeliveryState.SENDING


class NotificationSteps:
    def __init__(self, sessions: sessionmaker[Session], config: IncidentConfig, clock: Clock,
                 contacts: ContactService, senders: Senders | None, links: AckLinks | None) -> None:
        self._sessions = sessions
        self._config = config
        self._clock = clock
        self._contacts = contacts
        self._senders = senders
        self._links = links

    def reachable_by(self, user: str, session: Session | None = None) -> list[tuple[str, str]]:
        """Each step of the person's rules besides Slack that can reach them: (method, address)."""
        return [(method, address) for method, address, _ in self._steps_for(user, session)]

    def _steps_for(self, user: str, session: Session | None) -> list[tuple[str, str, timedelta]]:
        """(method, address, after) for each rule besides Slack whose way is on and has the person's address."""
        if self._senders is None:
            return []
        on = self._senders.methods()
        contacts = self._contacts.of(user, session)
        steps = []
        for rule in self._contacts.rules_for(user, session):
            address = contacts.address_for(rule.via)
            if rule.via != "slack" and rule.via in on and address:
                steps.append((rule.via, address, rule.after))
        return steps

    def plan(self, session: Session, page: Page, user: str, now: datetime) -> None:
        """Write the person's steps for ``page`` (once per page: a later level or renotify adds none)."""
        if self._senders is None or session.scalar(select(PageDelivery.id).where(
                PageDelivery.page_id == page.id, PageDelivery.user_id == user).limit(1)) is not None:
            return
        rows = [PageDelivery(page_id=page.id, incident_id=page.incident_id, user_id=user, method=method,
                             address=address, state=DeliveryState.PENDING, due_at=now + after, attempts=0,
                             created_at=now)
                for method, address, after in self._steps_for(user, session)]
        if not rows:
            return
        session.add_all(rows)
        session.flush()
        for row in rows:
            timers.schedule_new(session, PAGE_STEP, row.due_at, incident_id=page.incident_id,
                                payload={"delivery": row.id}, key=f"page:{page.id}:step:{row.id}")

    def cancel(self, session: Session, page_ids: list[int]) -> None:
        """The pages were acknowledged or ended: their steps not sent yet never will be."""
        if page_ids:
            session.execute(update(PageDelivery).where(PageDelivery.page_id.in_(page_ids),
                                                       PageDelivery.state == DeliveryState.PENDING)
                            .values(state=DeliveryState.CANCELLED))

    def fire(self, timer) -> None:
        """Send one step, unless its page was acknowledged; record the attempt either way."""
        with self._sessions() as session:
            delivery = session.scalars(select(PageDelivery).where(PageDelivery.id == timer.payload["delivery"])
                                       .options(selectinload(PageDelivery.page).selectinload(Page.incident))).first()
            if delivery is None or delivery.state not in (DeliveryState.PENDING, DeliveryState.SENDING):
                return
            if not delivery.page.active:
                self.cancel(session, [delivery.page_id])
                session.commit()
                return
            incident = delivery.page.incident
        message = self.outgoing(delivery, incident)  # outside the session: the first link makes its secret
        if not self._take(delivery.id):
            return
        ref, unsure = self._look_up(message) if maybe_sent(delivery) else (None, None)
        try:
            ref = ref or self._senders.send(message)
        except PageNotDelivered as exc:
            if exc.wait is not None and not exc.permanent:  # a send rate or the provider asks to wait: no failure
                self._release(delivery.id)
                raise TryAgain(f"{message.method} page {message.key} waits for its turn {exc.wait:.1f}s: {exc.reason}",
                               after=timedelta(seconds=exc.wait), sent_nothing=True) from exc
            self._failed(delivery, exc)
            if exc.permanent:
                return
            raise TryAgain(f"{message.method} page {message.key} not delivered: {exc.reason}") from exc
        self._sent(delivery, ref, unsure)

    def _take(self, delivery_id: int) -> bool:
        """Mark the step as being sent, in one conditional update, unless its page was acknowledged
        since it was read: an acknowledgement committed between the check and the send cancels it,
        and one committed after this update comes after the send began."""
        with self._sessions() as session, session.begin():
            active = select(Page.id).where(Page.id == PageDelivery.page_id,
                                           Page.state.in_((PageState.PAGING, PageState.WAITING))).exists()
            return session.execute(update(PageDelivery).where(
                PageDelivery.id == delivery_id, PageDelivery.state.in_((DeliveryState.PENDING, DeliveryState.SENDING)),
                active).values(state=DeliveryState.SENDING)).rowcount == 1

    def _release(self, delivery_id: int) -> None:
        """Not sent after all (it waits for a send rate): pending again, so an acknowledgement cancels it."""
        with self._sessions() as session, session.begin():
            session.execute(update(PageDelivery).where(PageDelivery.id == delivery_id,
                                                       PageDelivery.state == DeliveryState.SENDING)
                            .values(state=DeliveryState.PENDING))

    def _look_up(self, message: Outgoing) -> tuple[str | None, str | None]:
        """(the provider's id of an earlier attempt that did arrive, why nobody could say). A look-up
        that fails (a key without read rights, a proxy, an outage) never holds the page back: a
        possible duplicate beats a person not woken, and the timeline says it may repeat."""
        try:
            return self._senders.already_sent(message), None
        except PageNotDelivered as exc:
            log.warning("%s page %s: could not look for an earlier attempt (%s); sending it anyway",
                        message.method, message.key, exc.reason)
            return None, exc.reason

    def outgoing(self, delivery: PageDelivery, incident: Incident) -> Outgoing:
        severity = self._config.severity_described(incident.severity)
        title = incident.line()
        token = self._links.token(delivery) if self._links else None
        url = self._links.url(token) if token else None
        text = marked(incident.drill, f"You are paged for {title}." + (f" Acknowledge: {url}" if url else ""))
        speech = marked(incident.drill, f"You are paged for incident {incident.id}, severity {severity}: "
                                        f"{incident.title_line}. Press 1 to acknowledge.")
        title = marked(incident.drill, title, "DRILL", " ")
        return Outgoing(key=f"page-{delivery.id}", method=delivery.method, address=delivery.address, title=title,
                        text=text, speech=speech, ack_url=url, ack_token=token)

    def _sent(self, sending: PageDelivery, ref: str, unsure: str | None = None) -> None:
        now = self._clock.now()
        with changing(self._sessions, sending.incident_id, timeline=False) as incident:
            session = object_session(incident)
            delivery = session.get(PageDelivery, sending.id)
            delivery.state, delivery.provider_ref, delivery.sent_at = DeliveryState.SENT, ref, now
            tries = f" after {delivery.attempts} failed attempt{'s' if delivery.attempts > 1 else ''}" \
                if delivery.attempts else ""
            repeat = (f" (it may arrive twice: an earlier attempt may have sent it, and asking the provider "
                      f"whether it arrived failed: {unsure})") if unsure else ""
            _note(session, delivery, now, "page_step", f"Reached <@{delivery.user_id}> by "
                  f"{METHOD_NAMES[delivery.method]}{tries}{repeat}", "sent", announce=True)

    def _failed(self, sending: PageDelivery, exc: PageNotDelivered) -> None:
        now = self._clock.now()
        with changing(self._sessions, sending.incident_id, timeline=False) as incident:
            session = object_session(incident)
            delivery = session.get(PageDelivery, sending.id)
            delivery.attempts += 1
            delivery.error = exc.reason
            how = METHOD_NAMES[delivery.method]
            delivery.state = DeliveryState.PENDING  # tried again, unless the provider refuses it for good
            if exc.permanent:
                delivery.state = DeliveryState.FAILED
                _note(session, delivery, now, "page_step_failed", f"Could not reach <@{delivery.user_id}> by {how}: "
                      f"{exc.reason}. Not retried: the provider refuses this address", "refused", announce=True)
            else:
                _note(session, delivery, now, "page_step_failed", f"Could not reach <@{delivery.user_id}> by {how} yet "
                      f"(attempt {delivery.attempts}): {exc.reason}. Retrying", "failed",
                      announce=delivery.attempts == 1)

    def test(self, user: str) -> list[tuple[str, str]]:
        """``/incident me test``: a test page by each way that can reach the person; (way, what happened)."""
        if self._senders is None:
            return []
        contacts = self._contacts.of(user)
        results = []
        for method in ("push", "sms", "call", "email"):
            address = contacts.address_for(method)
            if method not in self._senders.methods() or not address:
                continue
            text = "This is a test page from incident-bot: nothing is wrong, no need to acknowledge."
            message = Outgoing(key=f"test-{user}-{method}", method=method, address=address,
                               title="Test page from incident-bot", text=text, speech=text, ack_url=None, ack_token=None)
            try:
                self._senders.send(message)
            except PageNotDelivered as exc:
                results.append((method, f"failed: {exc.reason}"))
            else:
                results.append((method, f"sent to {address}"))
        return results

    # -- acknowledging from outside Slack -----------------------------------------------------

    def by_reply(self, method: str, address: str) -> PageDelivery | None:
        """The latest step sent to ``address`` by ``method`` whose page is still ringing (an SMS reply)."""
        with self._sessions() as session:
            return session.scalars(select(PageDelivery).join(Page).where(
                PageDelivery.method == method, PageDelivery.address == address,
                PageDelivery.state == DeliveryState.SENT, Page.state.in_((PageState.PAGING, PageState.WAITING)))
                .order_by(PageDelivery.sent_at.desc(), PageDelivery.id.desc()).limit(1)).first()


def _note(session: Session, delivery: PageDelivery, now: datetime, kind: str, text: str, result: str,
          announce: bool) -> None:
    """A timeline line about one attempt, written beside the incident's timeline (which is not read)."""
    session.add(TimelineEvent(incident_id=delivery.incident_id, at=now, actor=None, kind=kind, text=text,
                              announce=announce, data={"page": delivery.page_id, "delivery": delivery.id,
                                                       "method": delivery.method, "result": result}))
