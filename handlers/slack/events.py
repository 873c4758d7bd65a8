"""Events API listeners: a :pushpin: reaction in an incident's channel copies the message into its timeline.

Bolt acks an event before its listener runs, but the listener still runs on Bolt's small
executor: it only looks the channel up and hands the Slack reads to ``ctx.effects``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App
from sqlalchemy import select

from models import Incident

if TYPE_CHECKING:
    from bot.app import AppContext

PIN = "pushpin"


def register(app: App, ctx: AppContext) -> None:
    @app.event("reaction_added")
    def reaction_added(event: dict) -> None:
        item = event.get("item") or {}
        if event.get("reaction") != PIN or item.get("type") != "message":
            return
        incident_id = _incident_in(ctx, item["channel"])
        if incident_id is not None:
            ctx.effects.submit(ctx.notices.pin_to_timeline, incident_id, item["channel"], item["ts"], event["user"])


def _incident_in(ctx: AppContext, channel: str) -> int | None:
    """The incident whose channel this is; most reactions are elsewhere, so no answer is no error."""
    with ctx.sessions() as session:
        return session.scalar(select(Incident.id).where(Incident.channel_id == channel))
