"""Small readers for what the bot left in the database and in the fake Slack."""

from __future__ import annotations

import json

from models import Incident


def incident(bot, incident_id: int = 1) -> Incident:
    return bot.ctx.incidents.get(incident_id)


def rendered(blocks: list | None) -> str:
    """All the text in a list of blocks, to assert on what a person would read."""
    return json.dumps(blocks or [], ensure_ascii=False)


def button_ids(blocks: list | None) -> list[str]:
    return [e["action_id"] for b in blocks or [] if b["type"] == "actions" for e in b["elements"]]


def summary(bot, fake, incident_id: int = 1) -> dict:
    """The pinned summary message as the fake Slack holds it now."""
    row = incident(bot, incident_id)
    return next(m for m in fake.messages(row.channel_id) if m["ts"] == row.summary_ts)


def announcement(bot, fake, incident_id: int = 1) -> dict:
    row = incident(bot, incident_id)
    return next(m for m in fake.messages(row.announcement_channel_id) if m["ts"] == row.announcement_ts)


def channel_posts(bot, fake, incident_id: int = 1) -> list[str]:
    """Texts posted in the incident channel, other than the summary."""
    row = incident(bot, incident_id)
    return [m["text"] for m in fake.messages(row.channel_id) if m["ts"] != row.summary_ts]


def declare(bot, text: str = "declare sev1 Checkout is down", user: str = "U01ALICE") -> Incident:
    response = bot.command(text, user=user)
    assert response.status == 200, response.body
    bot.settle()
    return max(bot.ctx.incidents.list_open(), key=lambda row: row.id)


def in_channel(bot, text: str, incident: Incident, user: str = "U01ALICE") -> dict:
    """Run a command in the incident's channel; the ephemeral answer, once effects settled."""
    response = bot.command(text, user=user, channel=incident.channel_id)
    assert response.status == 200, response.body
    bot.settle()
    return response.json()
