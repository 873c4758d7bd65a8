"""Who is on call, overrides, and handoffs."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    SectionBlock,
)

from bot.core.people import mention
from bot.paging.oncall import OnCallStatus
from bot.paging.rotation import Duty
from bot.slack.blocks.common import Message, as_blocks, slack_date


def _when(moment: datetime | None) -> str:
    return slack_date(moment) if moment else "no planned handoff"


def oncall_message(status: OnCallStatus) -> Message:
    """``/incident oncall``: who now (since, until), who next, and the overrides ahead."""
    now = status.now
    lines = [f"*{status.schedule}*: {mention(now.user)} is on call now"
             + (f" (covering, by override, until {slack_date(now.override.end)})" if now.override else "")
             + (f", since {slack_date(now.start)}" if now.start else "")
             + (f", until {slack_date(now.end)}" if now.end else "")]
    if status.next is not None:
        lines.append(f"Next: {mention(status.next.user)} from {_when(status.next.start)}")
    for span in status.overrides:
        lines.append(f"Override: {mention(span.user)} from {slack_date(span.start)} to {slack_date(span.end)}"
                     + (f" (set by {mention(span.created_by)})" if span.created_by else ""))
    text = "\n".join(lines)
    return Message(text=text, blocks=as_blocks(SectionBlock(text=text)))


def override_message(schedule: str, user: str, start: datetime, end: datetime) -> Message:
    return Message(text=f"{mention(user)} is on call for *{schedule}* from {slack_date(start)} until {slack_date(end)}.")


def handoff_messages(schedule: str, duty: Duty) -> tuple[Message, Message]:
    """What the incoming person is DMed, and what the schedule's channel is told."""
    until = f" until {slack_date(duty.end)}" if duty.end else ""
    dm = Message(text=f":pager: You are now on call for *{schedule}*{until}. Pages come here, by DM; "
                      "`/incident oncall` shows the schedule.")
    channel = Message(text=f":pager: {mention(duty.user)} is now on call for *{schedule}*{until}.")
    return dm, channel
