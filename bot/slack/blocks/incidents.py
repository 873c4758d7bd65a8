"""Answers about incidents in general: the declarer's confirmation, the open list, the help text."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.drills import NO_ACTION
from bot.core.errors import UserError
from bot.jobs.retry import RETRY_STEPS
from bot.slack.blocks.common import (
    NOTIFICATION_TEXT,
    Message,
    Rendering,
    as_blocks,
    clip,
    person,
    said,
    sections,
    severity_label,
    slack_date,
)
from bot.slack.commands import COMMANDS, Where, usage
from models import Incident, Role


def help_text() -> str:
    """Every command, from the one command table: where it works and what it does."""
    def lines(where: Where) -> list[str]:
        return [f"• `{said(command.typed)}` {command.does}" for command in COMMANDS if command.where is where]
    return "\n".join(["*`/incident` commands* (anywhere)", *lines(Where.ANYWHERE),
                      "In an incident's channel:", *lines(Where.CHANNEL)])


def help_message() -> Message:
    return Message(text=help_text())


def error_text(error: UserError) -> str:
    """The error's message as Slack shows it: each literal the domain marked, as code."""
    return error.rendered(lambda literal: f"`{literal}`")


def user_error_message(error: UserError) -> Message:
    """What was wrong, shown as typed, and the right form of the command it concerns."""
    text = f":warning: {said(error_text(error))}"
    if error.command is not None:
        text += f"\nUsage: `{said(usage(error.command))}`"
    return Message(text=text)


def incident_list_message(incidents: Sequence[Incident], rendering: Rendering) -> Message:
    if not incidents:
        return Message(text="No open incidents. :tada:")
    lines = []
    for i in incidents:
        where = f"<#{i.channel_id}>" if i.channel_id else "(channel pending)"
        drill = "DRILL " if i.drill else ""
        lines.append(f"• {drill}*{i.number}* {severity_label(i, rendering.config)} · {i.status} · {said(i.title)} · {where} · "
                     f"IC {person(i.holder(Role.COMMANDER))} · since {slack_date(i.declared_at)}")
    text = f"{len(incidents)} open incident{'s' if len(incidents) != 1 else ''}:\n" + "\n".join(lines)
    return Message(text=clip(text, NOTIFICATION_TEXT),
                   blocks=as_blocks(*sections(text, f"… <{rendering.public_url}/incidents|all of them on the web>")))


def setup_failed_message(incident: Incident, error: str) -> Message:
    """The declarer learns the incident is safe though Slack failed, and what happens next."""
    retry = int(RETRY_STEPS[-1].total_seconds() // 60)
    return Message(text=(
        f":warning: {incident.number} is recorded, but Slack failed: {error}. "
        f"Nothing is lost: I keep retrying (at least every {retry} minute) and will message you "
        "when its channel is ready. `/incident list` shows it meanwhile."))


def declared_message(incident: Incident) -> Message:
    """The declarer's ephemeral confirmation, sent before any Slack work starts."""
    return Message(text=(
        f":rotating_light: *{incident.number}* is recorded ({incident.severity}): {said(incident.title)}\n"
        "Its public channel is being created now; you will be invited, and it is announced "
        "in the announcement channel. It stays *unacknowledged* until someone presses *Acknowledge*."
    ))


def drill_declared_message(incident: Incident, unreachable: Sequence[tuple[str, str]]) -> Message:
    """The declarer's answer to a drill: whom it pages, and whom Slack could not page (not paged)."""
    paged = ", ".join(f"<@{page.user_id}>" for page in incident.pages if page.user_id) or "nobody"
    lines = [f":construction: *{incident.number}* is a drill ({incident.severity}): {said(incident.title)}",
             f"Paging {paged} through their own notification rules; every page says "
             f"\"{NO_ACTION}\". Its channel is being created; it is never on the status page nor in the retro's "
             "figures. `/incident report` in its channel shows each hop's time."]
    if unreachable:
        lines.append("Not paged (Slack cannot page them): "
                     + "; ".join(f"<@{user}>: {why}" for user, why in unreachable) + ".")
    return Message(text="\n".join(lines))


def drill_refused_message(unreachable: Sequence[tuple[str, str]]) -> Message:
    """A drill naming nobody Slack can page is not declared: there would be nothing to rehearse."""
    why = "; ".join(f"<@{user}>: {reason}" for user, reason in unreachable)
    return Message(text=f":warning: No drill was declared: nobody it names can be paged ({why}). Name people "
                        "from Slack's @ autocomplete who are in this workspace, or name nobody to page yourself.")


def checking_people(people: Sequence[str]) -> Message:
    named = ", ".join(f"<@{user}>" for user in people)
    return Message(text=f"Checking with Slack that {named} can be paged before the drill starts; the answer follows here.")
