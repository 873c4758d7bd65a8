"""The ``/incident`` commands, each named once with its usage and what it does.

The help text, every "Usage:" line an error shows, and the README's command table are all
rendered from this table, so they cannot drift apart; each feature (``features/``) binds its
entries to their listeners (a test checks both ways).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Where(StrEnum):
    ANYWHERE = "anywhere"
    CHANNEL = "incident channel"


@dataclass(frozen=True)
class Command:
    name: str
    usage: str  # what follows "/incident "
    does: str
    where: Where = Where.CHANNEL

    @property
    def typed(self) -> str:
        return f"/incident {self.usage}".rstrip()


COMMANDS: tuple[Command, ...] = (
    Command("", "", "opens the declare form (title, severity, service, description, commander)", Where.ANYWHERE),
    Command("declare", "declare [sevN] <title>", "declares at once; severity defaults to the configured default",
            Where.ANYWHERE),
    Command("drill", "drill [sevN] <title> [@people…]", "a drill: the whole flow marked DRILL everywhere (channel "
            "`drill-<n>-…`), paging only the people named (else you) through their own notification rules; never on "
            "the status page nor in the retro figures; its report times each hop", Where.ANYWHERE),
    Command("list", "list", "the open incidents", Where.ANYWHERE),
    Command("oncall", "oncall [schedule]", "who is on call now (since, until) and next, every schedule or one, "
            "and the overrides ahead", Where.ANYWHERE),
    Command("override", "oncall override @user <4h|until fri 18:00> [schedule]",
            "takes a shift (checked with Slack; the person replaced is told who did it)", Where.ANYWHERE),
    Command("oncall_away", "oncall away <from> <to>|list|cancel <n>", "time off (at most `oncall.max_time_off`, 60d by "
            "default): your shifts in that range go to the next member of each layer who is not away, who are told; "
            "`list` and `cancel` yours",
            Where.ANYWHERE),
    Command("oncall_cover", "oncall cover <from> <to> [schedule]|cancel <n>", "asks for cover in the schedule's "
            "channel with a *Take it* button: the first to press it is on call then; you are told who",
            Where.ANYWHERE),
    Command("oncall_gaps", "oncall gaps [schedule]", "the gaps and conflicts ahead (`oncall.look_ahead`): no one on "
            "call, someone on call while away, more than `oncall.max_hours_in_a_row` in a row", Where.ANYWHERE),
    Command("oncall_calendar", "oncall calendar", "your own calendar feed of your shifts in every schedule (90 days, "
            "to subscribe to), ephemerally; keep its link to yourself", Where.ANYWHERE),
    Command("status", "status <investigating|identified|mitigated|resolved>",
            "moves the incident; leaving resolved reopens it, announced"),
    Command("update", "update <text>", "a stakeholder update: channel, announcement thread, subscribers and "
            "stakeholder groups by DM; after resolution, a follow-up"),
    Command("sev", "sev <sevN> [reason]", "changes the severity; a downgrade is announced as one, raising to a "
            "paging severity pages"),
    Command("ic", "ic @user", "hands the Incident Commander role over, announced; the new holder gets its checklist"),
    Command("comms", "comms @user", "hands the Communication Lead role over, announced; the new holder gets its "
            "checklist"),
    Command("ack", "ack", "acknowledges the incident and every page still ringing (same as the buttons)"),
    Command("page", "page <service|@user>", "pages a service's escalation chain, or one person, until acknowledged"),
    Command("escalate", "escalate", "pages the next level now"),
    Command("note", "note <text>", "adds to the timeline (so does a :pushpin: reaction on any message there)"),
    Command("timeline", "timeline", "posts the timeline so far, in the configured time zone"),
    Command("resolve", "resolve [summary]", "resolves, saying whether it was mitigated first or fixed outright"),
    Command("report", "report", "drafts (or refreshes) the incident report: a canvas in the channel (a Markdown file "
            "where canvases are unavailable) and a link to its web page; an open incident's is marked draft"),
    Command("report_edit", "report edit", "a form for impact, root cause, resolution, what went well / badly / where "
            "we got lucky, and the blameless switch"),
    Command("review", "review done", "the post-incident review was held: the report moves from draft to reviewed"),
    Command("action", "action <text> [@owner] [p1|p2|p3] [due <date>]", "adds an action item (owner defaults to "
            "the commander, priority to p2); the owner is told by DM, and reminded before and after it is due"),
    Command("action_done", "action done <n>", "closes action item n (struck through in the report)"),
    Command("actions", "actions", "the incident's action items, each open one with a *Done* button"),
    Command("actions_mine", "actions mine", "every open action item you own, across incidents, the oldest due first",
            Where.ANYWHERE),
    Command("public", "public [text]", "a public update on the status page (the first asks for a public title); "
            "with no text, a form for the public title, status and affected components"),
    Command("stats", "stats [4w|this week|since <date>] [service]", "the retro figures: incidents, time to "
            "acknowledge / mitigate / resolve (median and p90), uptime, the people paged most, and a link to the charts",
            Where.ANYWHERE),
    Command("me", "me [phone <+E.164>|email <address>|push <ntfy topic>|<method> off|rules <0m slack, 2m push, …>|test]",
            "your ways to be paged besides Slack and the steps that use them; a test page by each", Where.ANYWHERE),
    Command("maintenance", "maintenance <service> <from> <to> [reason]", "a maintenance window: the service's "
            "alerts are held on it (no incident, nobody paged), it is on the status page, and with ALERTMANAGER_URL "
            "silenced there too", Where.ANYWHERE),
    Command("maintenance_list", "maintenance list", "the maintenance windows ahead, in progress and of the last "
            "week, with the alerts each held", Where.ANYWHERE),
    Command("maintenance_end", "maintenance end <n>", "ends window n now (its Alertmanager silence expires)",
            Where.ANYWHERE),
    Command("heartbeats", "heartbeats", "each heartbeat (and the Watchdog) with its last check-in and state",
            Where.ANYWHERE),
    Command("help", "help", "the list of commands", Where.ANYWHERE),
)

BY_NAME = {command.name: command for command in COMMANDS}


def usage(name: str) -> str:
    """How to type the command called ``name`` (``override`` is ``oncall override``)."""
    return BY_NAME[name].typed


def form(sub: str, rest: str) -> tuple[str, str]:
    """The command a text names, and the rest of it: a form with a row of its own (``actions mine`` is
    ``actions_mine``) is that row, and may work elsewhere than its first word's row."""
    word, _, after = rest.partition(" ")
    name = f"{sub}_{word.lower()}"
    return (name, after.strip()) if word and name in BY_NAME else (sub, rest)
