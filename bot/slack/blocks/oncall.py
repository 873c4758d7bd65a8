"""Who is on call, overrides, and handoffs."""

from __future__ import annotations

from datetime import datetime

from bot.core.people import mention
from bot.paging.layers import Duty
from bot.paging.oncall import OnCallStatus
from bot.slack.blocks.common import Message, as_blocks, sections, slack_date
from models import Override


def _when(moment: datetime | None) -> str:
    return slack_date(moment) if moment else "no planned handoff"


def oncall_message(statuses: list[OnCallStatus]) -> Message:
    """``/incident oncall``: for each schedule, who now (since, until), who next, and the overrides ahead."""
    text = "\n\n".join(_schedule_lines(status) for status in statuses)
    return Message(text=text, blocks=as_blocks(*sections(text)))


def _schedule_lines(status: OnCallStatus) -> str:
    lines = [f"*{status.schedule}*: {_now(status.now)}"]
    if status.next is not None:
        lines.append(f"Next: {_who(status.next.user)} from {_when(status.next.start)}")
    for layer in status.layers:
        until = f" until {slack_date(layer.now.end)}" if layer.now.end else ""
        following = f", then {_who(layer.next.user)}" if layer.next else ""
        lines.append(f"• _{layer.name}_: {_who(layer.now.user)} now{until}{following}")
    for span in status.overrides:
        lines.append(f"Override: {mention(span.user)} from {slack_date(span.start)} to {slack_date(span.end)}"
                     + (f" (set by {mention(span.created_by)})" if span.created_by else ""))
    return "\n".join(lines)


def _who(user: str | None) -> str:
    return mention(user) if user else "nobody (a gap)"


def _now(now: Duty) -> str:
    if now.user is None:
        return (":warning: *nobody is on call now* (no layer covers this time)"
                + (f", until {slack_date(now.end)}" if now.end else ""))
    return (f"{mention(now.user)} is on call now"
            + (f" (covering, by override, until {slack_date(now.override.end)})" if now.override else "")
            + (f", since {slack_date(now.start)}" if now.start else "")
            + (f", until {slack_date(now.end)}" if now.end else ""))


def override_message(override: Override) -> Message:
    return Message(text=f"{mention(override.user_id)} is on call for *{override.schedule}* from "
                        f"{slack_date(override.starts_at)} until {slack_date(override.ends_at)}.")


def shift_taken_message(override: Override) -> Message:
    """The DM to someone whose shift another person took: who, when, and who decided it."""
    return Message(text=f":pager: {mention(override.created_by)} put {mention(override.user_id)} on call for "
                        f"*{override.schedule}* from {slack_date(override.starts_at)} until "
                        f"{slack_date(override.ends_at)}, covering your shift: pages for it go to them meanwhile.")


def checking_person(user: str) -> Message:
    return Message(text=f"Checking <@{user}> with Slack before giving them the shift; the answer follows here.")


def cannot_take_shifts(user: str, why: str) -> Message:
    return Message(text=f":warning: <@{user}> cannot take a shift: {why}. Pick someone who can be paged.")


def handoff_messages(schedule: str, duty: Duty) -> tuple[Message, Message]:
    """What the incoming person is DMed, and what the schedule's channel is told."""
    until = f" until {slack_date(duty.end)}" if duty.end else ""
    dm = Message(text=f":pager: You are now on call for *{schedule}*{until}. Pages come here, by DM; "
                      "`/incident oncall` shows the schedule.")
    channel = Message(text=f":pager: {mention(duty.user)} is now on call for *{schedule}*{until}.")
    return dm, channel
