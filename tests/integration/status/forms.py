"""Filling in the declare and public update forms as Slack submits them."""

from __future__ import annotations

import json

from bot.slack.ids import DeclareField, PublicField
from bot.slack.ids import View as ViewId

CONFIG = {
    "services": {"checkout": {}, "search": {}},
    "status_page": {"title": "Acme status", "components": [
        {"name": "Checkout", "services": ["checkout"]}, {"name": "Search", "services": ["search"]}]},
}


def declare_form(bot, title: str, severity: str = "sev2", service: str | None = "checkout", public: bool = False,
                 user: str = "U01ALICE"):
    values = {
        DeclareField.TITLE: {DeclareField.TITLE: {"type": "plain_text_input", "value": title}},
        DeclareField.SEVERITY: {DeclareField.SEVERITY: {"type": "static_select", "selected_option": {"value": severity}}},
        DeclareField.SERVICE: {DeclareField.SERVICE: {"type": "static_select",
                                                      "selected_option": {"value": service} if service else None}},
        DeclareField.PUBLIC: {DeclareField.PUBLIC: {"type": "checkboxes", "selected_options": [
            {"value": "public"}] if public else []}},
    }
    response = bot.submit_view(ViewId.DECLARE, values, user=user,
                               private_metadata=json.dumps({"channel_id": "CGENERAL", "response_url": None}))
    assert response.status == 200 and response.body in (b"", b"null"), response.body
    bot.settle()
    return max(bot.ctx.incidents.list_open(), key=lambda row: row.id)


def public_form(bot, incident_id: int, text: str, title: str | None = None, status: str = "investigating",
                components: dict[str, str] | None = None, user: str = "U01ALICE"):
    names = [c.name for c in bot.ctx.config.status_page.components]
    values = {
        PublicField.TITLE: {PublicField.TITLE: {"type": "plain_text_input", "value": title}},
        PublicField.STATUS: {PublicField.STATUS: {"type": "static_select", "selected_option": {"value": status}}},
        PublicField.TEXT: {PublicField.TEXT: {"type": "plain_text_input", "value": text}},
    }
    for index, name in enumerate(names):
        block = f"{PublicField.COMPONENT}{index}"
        values[block] = {block: {"type": "static_select",
                                 "selected_option": {"value": (components or {}).get(name, "operational")}}}
    response = bot.submit_view(ViewId.PUBLIC, values, user=user, private_metadata=str(incident_id))
    bot.settle()
    return response
