"""The short ephemeral answers to the person who acted: what happened, in one or two lines."""

from __future__ import annotations

from bot.slack.blocks.common import Message, Rendering, said, slack_date
from models import Incident, Role

BUSY = Message(text=":hourglass_flowing_sand: The database is busy; your request is queued and its answer will follow here.")


def status_changed(incident: Incident) -> Message:
    return Message(text=f"{incident.number} is now *{incident.status}*.")


def resolved(incident: Incident, with_summary: bool) -> Message:
    hint = "" if with_summary else " Add what fixed it with `/incident note <text>`, it goes into the report."
    return Message(text=f"{incident.number} is resolved.{hint}")


def noted(incident: Incident) -> Message:
    return Message(text=f"Added to the timeline of {incident.number}.")


def acknowledged(incident: Incident) -> Message:
    return Message(text=f"You acknowledged {incident.number}.")


def severity_changed(incident: Incident) -> Message:
    return Message(text=f"{incident.number} is now {incident.severity}.")


def paging_person(incident: Incident, user: str) -> Message:
    return Message(text=f"Paging <@{user}> for {incident.number} until they acknowledge.")


def paging_service(incident: Incident, service: str) -> Message:
    return Message(text=f"Paging the on-call chain of `{said(service)}` for {incident.number}.")


def escalated(incident: Incident) -> Message:
    return Message(text=f"Paging the next level for {incident.number} now.")


def role_handed(incident: Incident, role: Role, user: str) -> Message:
    return Message(text=f"<@{user}> is now the {role.title} of {incident.number}.")


def update_posted(incident: Incident) -> Message:
    """An update, or after resolution a follow-up: where it went, and what comes next."""
    where = "in the channel, the announcement's thread and to subscribers"
    if incident.update_due_at is None:
        return Message(text=f"Follow-up posted for {incident.number} (resolved): {where}. No further update is due; "
                            "if it is not over, reopen it with `/incident status investigating`.")
    return Message(text=f"Update posted for {incident.number}: {where}. The next one is due "
                        f"{slack_date(incident.update_due_at)}.")


def subscribed(incident_id: int, on: bool) -> Message:
    if on:
        return Message(text=f"You will get INC-{incident_id}'s updates and its resolution by DM.")
    return Message(text=f"You will no longer get INC-{incident_id}'s updates by DM.")


def snoozed(incident_id: int, minutes: int) -> Message:
    return Message(text=f"The update reminder for INC-{incident_id} is snoozed for {minutes} minutes.")


def done(what: str) -> Message:
    """The late answer of work that has nothing else to say (everyone sees its result in the channel)."""
    return Message(text=f":white_check_mark: Done: {what}.")


def timeline_not_posted(why: str) -> Message:
    """``/incident timeline`` could not be posted (``why``: Slack's error, or its rate limit)."""
    return Message(text=f":warning: Slack would not take the timeline now ({why}). Ask again in a minute.")


def form_not_opened(what: str, why: str, instead: str) -> Message:
    """Slack refused to open a form (``why``: its error code); ``instead`` says what does the same."""
    return Message(text=f":warning: Slack would not open the {what} ({why}). {instead}")


def form_refused(problems: dict[str, str]) -> Message:
    """A form's errors, when the form itself had to close before they were known."""
    return Message(text=":warning: " + " ".join(said(problem) for problem in problems.values()))


def internal_error(what: str, reference: str) -> Message:
    return Message(text=(
        f":boom: Something went wrong on our side while handling {what} (reference `{reference}`). "
        "Nothing you typed was wrong. `/incident list` shows what is recorded; try again in a moment."
    ))


def reopened_elsewhere(incident: Incident) -> Message:
    return Message(text=f"{incident.number} was resolved meanwhile: your update went out as a follow-up and did not "
                        "reopen it. If it is not over, reopen it with `/incident status investigating`.")


def public_posted(incident: Incident, rendering: Rendering) -> Message:
    return Message(text=f"Public update posted for {incident.number} on the status page: {rendering.public_url}/status")


def not_recorded(what: str) -> Message:
    """Work the database refused for as long as its answer could still reach the person."""
    return Message(text=(
        f":x: {what} was *not recorded*: the database stayed busy for too long. Nothing changed; "
        "please send it again."
    ))


REPLAYED = Message(text=("This request was sent twice: the first is still being handled, and its answer "
                         "follows. Nothing was done twice."))
