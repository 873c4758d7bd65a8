"""Time off, cover requests, and gaps and conflicts seen ahead."""

from __future__ import annotations

from slack_sdk.models.blocks import ButtonElement, SectionBlock

from bot.core.people import mention
from bot.paging.gaps import Finding
from bot.paging.time_off import AwayAdded, Handover
from bot.slack.blocks.common import Message, as_blocks, sections, slack_date
from bot.slack.ids import Action
from models.oncall import CoverRequest, TimeOff


def _span(start, end) -> str:
    return f"from {slack_date(start)} to {slack_date(end)}"


def _handover(h: Handover) -> str:
    who = mention(h.user) if h.user else ":warning: *nobody* (a gap: everyone in that layer is away)"
    return f"• *{h.schedule}* {_span(h.start, h.end)}: {who}"


def away_added(added: AwayAdded) -> Message:
    row = added.time_off
    lines = [f":palm_tree: You are away {_span(row.starts_at, row.ends_at)} (time off {row.id}; "
             f"`/incident oncall away cancel {row.id}` undoes it)."]
    if added.handovers:
        lines.append("Your shifts meanwhile go to:")
        lines += [_handover(h) for h in added.handovers]
    else:
        lines.append("You have no shift in that time.")
    text = "\n".join(lines)
    return Message(text=text, blocks=as_blocks(*sections(text)))


def shift_handed_over(away: str, handovers: list[Handover]) -> Message:
    """The DM to someone taking another's shifts while they are away."""
    lines = [f":pager: {mention(away)} is away: you are on call in their place"]
    lines += [f"• *{h.schedule}* {_span(h.start, h.end)}" for h in handovers]
    return Message(text="\n".join(lines))


def away_list(rows: list[TimeOff]) -> Message:
    if not rows:
        return Message(text="You have no time off ahead. `/incident oncall away <from> <to>` adds some.")
    text = "Your time off ahead:\n" + "\n".join(f"{row.id}. {_span(row.starts_at, row.ends_at)}" for row in rows)
    return Message(text=text)


def away_cancelled(row: TimeOff) -> Message:
    return Message(text=f"Time off {row.id} ({_span(row.starts_at, row.ends_at)}) is cancelled: your shifts are yours again.")


def cover_request(row: CoverRequest) -> Message:
    """The request in the schedule's channel: a *Take it* button while open, who took it once taken."""
    head = f":sos: {mention(row.requested_by)} asks for cover on *{row.schedule}* {_span(row.starts_at, row.ends_at)}."
    if row.taken_by:
        text = f"{head}\n:white_check_mark: {mention(row.taken_by)} took it."
        return Message(text=text, blocks=as_blocks(SectionBlock(text=text)))
    if row.cancelled_at:
        text = f"~{head}~\nCancelled by {mention(row.requested_by)}."
        return Message(text=text, blocks=as_blocks(SectionBlock(text=text)))
    button = ButtonElement(text="Take it", action_id=Action.TAKE_COVER, value=str(row.id), style="primary")
    return Message(text=head, blocks=as_blocks(SectionBlock(text=head, accessory=button)))


def cover_asked(row: CoverRequest, channel: str) -> Message:
    return Message(text=f"Cover request {row.id} goes to {channel}; you are told when someone takes it "
                        f"(`/incident oncall cover cancel {row.id}` withdraws it while nobody has).")


def cover_taken(row: CoverRequest) -> Message:
    return Message(text=f":white_check_mark: {mention(row.taken_by)} took your cover request on *{row.schedule}* "
                        f"{_span(row.starts_at, row.ends_at)}: they are on call then.")


def you_took_cover(row: CoverRequest) -> Message:
    return Message(text=f"You are on call for *{row.schedule}* {_span(row.starts_at, row.ends_at)}, covering "
                        f"{mention(row.requested_by)}.")


def cover_cancelled(row: CoverRequest) -> Message:
    return Message(text=f"Cover request {row.id} is cancelled.")


def finding_line(f: Finding) -> str:
    span = _span(f.start, f.end) + (" (and beyond)" if f.open_end else "")
    if f.kind == "gap":
        return f":warning: *{f.schedule}*: nobody is on call {span}."
    if f.kind == "away":
        return f":warning: *{f.schedule}*: {mention(f.user)} is on call while away, {span}."
    if f.kind == "too_long":
        return f":warning: {mention(f.user)} is on call {span} without a break (*{f.schedule.replace(',', '*, *')}*)."
    where = f" in *{f.schedule}*, a schedule no longer in the file" if f.schedule else ", but is in no schedule"
    return f":information_source: {mention(f.user)} has an override or time off {span}{where}; tidy it up."


def findings_message(findings: list[Finding], look_ahead: str) -> Message:
    if not findings:
        return Message(text=f":white_check_mark: No gaps or conflicts in the next {look_ahead}.")
    text = f"Gaps and conflicts in the next {look_ahead}:\n" + "\n".join(finding_line(f) for f in findings)
    return Message(text=text, blocks=as_blocks(*sections(text)))


def finding_notice(findings: list[Finding]) -> Message:
    """Gaps and conflicts just found, one line each."""
    text = "\n".join(finding_line(f) for f in findings)
    return Message(text=text, blocks=as_blocks(*sections(text)))


def calendar_links(personal: str, schedules: list[tuple[str, str]]) -> Message:
    """``/incident oncall calendar``: the person's secret feed, and the schedules' (sign-in) feeds."""
    lines = [f":calendar: Your shifts in every schedule, 90 days ahead: {personal}",
             "Subscribe to it by URL in your calendar app; it is yours alone, so do not share it."]
    if schedules:
        lines.append("Each schedule's whole rota (signed in): " + ", ".join(f"<{url}|{name}>" for name, url in schedules))
    return Message(text="\n".join(lines))
