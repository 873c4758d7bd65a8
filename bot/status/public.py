"""Public updates: what customers read about an incident, written inside a change of the incident.

These run in the caller's transaction, holding the incident's row lock (the incident service's
declare and close, the status service's post). Each writes a timeline event, so the change
counts as one of the incident's (its revision moves, the Slack side and the status page's cache
follow). The internal title, updates and resolution summary are never copied here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.config import IncidentConfig
from bot.core.durations import format_duration
from bot.core.errors import UserError, code
from bot.status.states import ComponentState, PublicStatus, impact_of_rank, public_status_of
from models import Incident, PublicImpact, PublicIncident, PublicUpdate, Role

MAX_TEXT = 5000
PUBLIC_TITLE_LENGTH = 200
RESOLVED_TEXT = "This incident has been resolved."


def public_of(session: Session, incident: Incident) -> PublicIncident | None:
    query = (select(PublicIncident).where(PublicIncident.incident_id == incident.id)
             .options(selectinload(PublicIncident.updates), selectinload(PublicIncident.impacts)))
    return session.scalars(query).first()


def default_impacts(severity: str, service: str | None, config: IncidentConfig) -> dict[str, ComponentState]:
    """The components holding the incident's service, each in the state its severity says."""
    state = impact_of_rank(config.rank(severity))
    return {c.name: state for c in config.status_page.components if service and service in c.services}


def impacts(public: PublicIncident, severity: str, service: str | None, config: IncidentConfig) -> dict[str, ComponentState]:
    """What the Communication Lead said (a component left *operational* is not affected), else what
    the service and severity say."""
    if public.impacts:
        said = {row.component: ComponentState(row.state) for row in public.impacts}
        return {name: state for name, state in said.items() if state is not ComponentState.OPERATIONAL}
    return default_impacts(severity, service, config)


def declared_public(session: Session, incident: Incident, actor: str, now: datetime, config: IncidentConfig) -> None:
    """Declared with public impact: on the status page at once, investigating, under a title that
    names the affected components until the first public update gives it one."""
    session.add(PublicIncident(incident_id=incident.id, status=PublicStatus.INVESTIGATING, since=now, updated_at=now))
    defaults = default_impacts(incident.severity, incident.service, config)
    affected = ", ".join(f"{name}: {state.label.lower()}" for name, state in defaults.items())
    incident.log(now, actor, "public", f"<@{actor}> declared {incident.number} with public impact: it is on the status "
                 f"page ({affected or 'no component named'}); give it a public title with `/incident public`",
                 {"status": PublicStatus.INVESTIGATING}, announce=False)


def post(session: Session, incident: Incident, actor: str, text: str, now: datetime, config: IncidentConfig, *,
         title: str | None = None, status: str | None = None, affected: dict[str, str] | None = None) -> PublicIncident:
    """A public update: its text, the incident's public state (from its internal status unless
    given) and title (asked for with the first), and, if given, the state it puts each component
    in (*operational*: not affected)."""
    text = text.strip()
    if not text:
        raise UserError("A public update needs some text: what customers see, and what happens next.",
                        command="public", field="text")
    if len(text) > MAX_TEXT:
        raise UserError(f"The public update is {len(text)} characters long; keep it under {MAX_TEXT}.",
                        command="public", field="text")
    may_speak(incident, actor)
    public = public_of(session, incident)
    title = (title or "").strip() or (public.title if public else None)
    if not title:
        raise UserError("The first public update needs a public title, what customers will read (the internal "
                        f"title never reaches the status page): run {code('/incident public')} with no text for the form.",
                        command="public", field="title")
    if len(title) > PUBLIC_TITLE_LENGTH:
        raise UserError(f"The public title is {len(title)} characters long; keep it under {PUBLIC_TITLE_LENGTH}.",
                        command="public", field="title")
    state = _status(status) if status else public_status_of(incident.status)
    if public is None:
        public = PublicIncident(incident_id=incident.id, since=now, updates=[], impacts=[])
        session.add(public)
    public.title, public.status, public.updated_at = title, state, now
    public.resolved_at = now if state is PublicStatus.RESOLVED else None
    if affected is not None:
        public.impacts = [PublicImpact(component=name, state=value) for name, value in _affected(affected, config)]
    public.updates.append(PublicUpdate(at=now, author=actor, status=state, text=text))
    incident.log(now, actor, "public_update", text, {"status": state, "title": title})
    return public


def resolved(session: Session, incident: Incident, now: datetime) -> None:
    """The incident ended: its public side says so, in words of its own (never the internal summary)."""
    public = public_of(session, incident)
    if public is None or public.status == PublicStatus.RESOLVED:
        return
    public.status, public.updated_at, public.resolved_at = PublicStatus.RESOLVED, now, now
    public.updates.append(PublicUpdate(at=now, author=None, status=PublicStatus.RESOLVED, text=RESOLVED_TEXT))
    incident.log(now, None, "public_update", RESOLVED_TEXT, {"status": PublicStatus.RESOLVED, "title": public.title},
                 announce=False)


def silence(session: Session, incident: Incident, now: datetime, config: IncidentConfig) -> timedelta | None:
    """How long the status page has said nothing new about one of the two most severe incidents with
    public impact, once that is the severity's ``update_every`` or more; otherwise None."""
    if config.rank(incident.severity) > 1:
        return None
    public = session.get(PublicIncident, incident.id)
    if public is None or public.status == PublicStatus.RESOLVED:
        return None
    quiet = now - public.updated_at
    return quiet if quiet >= config.severity(incident.severity).update_every else None


def silence_text(quiet: timedelta) -> str:
    return (f"The status page has not been updated for {format_duration(quiet)}: "
            "post a public update with `/incident public <text>`.")


def may_speak(incident: Incident, actor: str) -> None:
    """What customers read is the Communication Lead's to say (or the commander's); a drill never reaches them."""
    if incident.drill:
        raise UserError(f"{incident.number} is a drill: drills are never on the status page, so there is nothing "
                        f"public to say. Rehearse the update in the channel with {code('/incident update <text>')}.",
                        command="public")
    speakers = {incident.holder(Role.COMMS_LEAD), incident.holder(Role.COMMANDER)} - {None}
    if speakers and actor not in speakers:
        names = " or ".join(f"<@{user}>" for user in sorted(speakers))
        raise UserError(f"Public updates for {incident.number} are written by its Communication Lead or commander "
                        f"({names}): ask them, or take the role with {code(f'/incident comms <@{actor}>')}.", command="public")


def _status(value: str) -> PublicStatus:
    try:
        return PublicStatus(value.strip().lower())
    except ValueError:
        raise UserError(f"Unknown public status {code(value)}; use one of {', '.join(PublicStatus)}.",
                        command="public", field="status") from None


def _affected(affected: dict[str, str], config: IncidentConfig) -> list[tuple[str, str]]:
    known = [c.name for c in config.status_page.components]
    chosen = []
    for name, value in affected.items():
        if name not in known:
            raise UserError(f"Unknown component {code(name)}; the status page's components are {', '.join(known)}.",
                            command="public", field="components")
        if value not in list(ComponentState):
            raise UserError(f"Unknown component state {code(value)}; use one of {', '.join(ComponentState)}.",
                            command="public", field="components")
        chosen.append((name, value))
    return chosen
