"""Answers about incidents in general: the declarer's confirmation, the open list, the help text."""

from __future__ import annotations

from collections.abc import Sequence

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
from models import Incident, Role

HELP = """*`/incident` commands*
• `/incident` opens the declare form
• `/incident declare [sevN] <title>` declares at once (anywhere)
• `/incident list` shows the open incidents (anywhere)
• `/incident oncall [schedule]` shows who is on call now and next (anywhere)
• `/incident oncall override @user <4h|until fri 18:00> [schedule]` takes a shift (anywhere)
In an incident's channel:
• `/incident status <investigating|identified|mitigated|resolved>` moves the incident
• `/incident update <text>` posts a stakeholder update (channel, announcement thread, subscribers)
• `/incident resolve [summary]` resolves it
• `/incident sev <sevN> [reason]` changes the severity (a downgrade is announced as one)
• `/incident ic @user`, `/incident comms @user` hand a role over
• `/incident ack` acknowledges the incident and the pages that reached you
• `/incident page <service|@user>` pages a service's on-call chain, or one person
• `/incident escalate` pages the next escalation level now
• `/incident note <text>` adds to the timeline; so does a :pushpin: reaction on any message here
• `/incident timeline` posts the timeline so far
• `/incident help` shows this"""


def incident_list_message(incidents: Sequence[Incident], rendering: Rendering) -> Message:
    if not incidents:
        return Message(text="No open incidents. :tada:")
    lines = []
    for i in incidents:
        where = f"<#{i.channel_id}>" if i.channel_id else "(channel pending)"
        lines.append(f"• *{i.number}* {severity_label(i, rendering.config)} · {i.status} · {said(i.title)} · {where} · "
                     f"IC {person(i.holder(Role.COMMANDER))} · since {slack_date(i.declared_at)}")
    text = f"{len(incidents)} open incident{'s' if len(incidents) != 1 else ''}:\n" + "\n".join(lines)
    return Message(text=clip(text, NOTIFICATION_TEXT),
                   blocks=as_blocks(*sections(text, f"… <{rendering.public_url}/incidents|all of them on the web>")))


def declared_message(incident: Incident) -> Message:
    """The declarer's ephemeral confirmation, sent before any Slack work starts."""
    return Message(text=(
        f":rotating_light: *{incident.number}* is recorded ({incident.severity}): {said(incident.title)}\n"
        "Its public channel is being created now; you will be invited, and it is announced "
        "in the announcement channel. It stays *unacknowledged* until someone presses *Acknowledge*."
    ))
