"""Driving an incident to its report through the real app, and reading the report back."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.slack.ids import ActionField, DeclareField, ReportField
from bot.slack.ids import View as ViewId
from tests.driver import http
from tests.integration.helpers import in_channel, incident

TOKEN = "console-secret"
CONFIG = {
    "timezone": "Europe/Rome",
    "schedules": {"primary": {"rotation": "weekly", "members": ["U02BOB"]}},
    "escalation_policies": {"default": {"renotify_every": "2m",
                                        "levels": [{"notify": [{"schedule": "primary", "role": "comms_lead"}]}]}},
    "services": {"checkout": {"escalation_policy": "default"}},
}
FIELDS = {
    ReportField.IMPACT: "30% of EU card payments failed for 40 minutes.",
    ReportField.ROOT_CAUSE: "Deploy 42 shipped a payment client with a 1 s timeout.\nThe canary only checked US traffic.",
    ReportField.RESOLUTION: "Rolled back deploy 42; the client timeout is back to 10 s.",
    ReportField.WENT_WELL: "The page was acknowledged within a minute.",
    ReportField.WENT_BADLY: "Nobody owned the canary's regions.",
    ReportField.LUCKY: "It happened at 10:00, not during the evening peak.",
}


def run_due(bot, after: timedelta = timedelta(0)) -> None:
    bot.clock.advance(after)
    bot.ctx.timer_worker.tick()
    bot.settle()


def declare_with_form(bot, title: str = "Checkout is down", severity: str = "sev1", service: str | None = "checkout",
                      user: str = "U01ALICE"):
    values = {DeclareField.TITLE: {DeclareField.TITLE: {"type": "plain_text_input", "value": title}},
              DeclareField.SEVERITY: {DeclareField.SEVERITY: {"type": "static_select", "selected_option": {"value": severity}}}}
    if service:
        values[DeclareField.SERVICE] = {DeclareField.SERVICE: {"type": "static_select", "selected_option": {"value": service}}}
    assert bot.submit_view(ViewId.DECLARE, values, user=user).status == 200
    bot.settle()
    return max(bot.ctx.incidents.list_open(), key=lambda row: row.id)


def whole_incident(bot, fake) -> int:
    """Declare (the form), page, ack, updates, severity down with a reason, notes, a pinned message,
    mitigated, resolved: minutes apart, as people do."""
    row = declare_with_form(bot)
    run_due(bot, timedelta(minutes=1))  # Bob is paged for the comms lead role
    in_channel(bot, "ack", row, user="U02BOB")
    bot.clock.advance(timedelta(minutes=2))
    in_channel(bot, "page <@U03CAROL|carol>", row)
    run_due(bot, timedelta(seconds=30))
    in_channel(bot, "ack", row, user="U03CAROL")
    bot.clock.advance(timedelta(minutes=3))
    in_channel(bot, "update Card payments fail for 30% of EU users; rolling back deploy 42", row, user="U02BOB")
    bot.clock.advance(timedelta(minutes=4))
    in_channel(bot, "sev sev2 only EU card payments are affected", row)
    bot.clock.advance(timedelta(minutes=1))
    in_channel(bot, "note Rollback of deploy 42 started; <@U03CAROL|carol> watches the error rate", row)
    bot.clock.advance(timedelta(minutes=5))
    pinned = fake.add_message(row.channel_id, "Error rate is back to normal, thanks <@U02BOB>", "U04DAVE",
                              at=bot.clock.now().timestamp() - 30)
    bot.event({"type": "reaction_added", "user": "U03CAROL", "reaction": "pushpin",
               "item": {"type": "message", "channel": row.channel_id, "ts": pinned}, "event_ts": pinned})
    bot.settle()
    bot.clock.advance(timedelta(minutes=1))
    in_channel(bot, "status mitigated", row)
    bot.clock.advance(timedelta(minutes=20))
    in_channel(bot, "update Payments work again; watching before we close", row, user="U02BOB")
    bot.clock.advance(timedelta(minutes=10))
    in_channel(bot, "resolve Rolled back deploy 42", row)
    return row.id


def fill_report(bot, incident_id: int, fields: dict | None = None, blameless: bool = False, user: str = "U01ALICE"):
    values = {block: {block: {"type": "plain_text_input", "value": text}} for block, text in (fields or FIELDS).items()}
    chosen = [{"value": "blameless", "text": {"type": "plain_text", "text": "Blameless"}}] if blameless else []
    values[ReportField.BLAMELESS] = {ReportField.BLAMELESS: {"type": "checkboxes", "selected_options": chosen}}
    response = bot.submit_view(ViewId.REPORT, values, user=user, private_metadata=str(incident_id))
    bot.settle()
    return response


def add_action_with_form(bot, incident_id: int, text: str, owner: str | None = None, priority: str = "p2",
                         type_: str | None = None, due: str | None = None, tracker: str | None = None,
                         user: str = "U01ALICE"):
    values = {ActionField.TEXT: {ActionField.TEXT: {"type": "plain_text_input", "value": text}},
              ActionField.OWNER: {ActionField.OWNER: {"type": "users_select", "selected_user": owner}},
              ActionField.PRIORITY: {ActionField.PRIORITY: {"type": "static_select", "selected_option": {"value": priority}}},
              ActionField.TYPE: {ActionField.TYPE: {"type": "static_select",
                                                    "selected_option": {"value": type_} if type_ else None}},
              ActionField.DUE: {ActionField.DUE: {"type": "datepicker", "selected_date": due}},
              ActionField.TRACKER_URL: {ActionField.TRACKER_URL: {"type": "url_text_input", "value": tracker}}}
    response = bot.submit_view(ViewId.ACTION, values, user=user, private_metadata=str(incident_id))
    bot.settle()
    return response


def report_md(bot, incident_id: int = 1, token: str | None = TOKEN):
    """The report as Markdown, once the people it names are in the directory (the first read asks for them)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http("GET", f"{bot.url}/incidents/{incident_id}/report.md", headers=headers)
    bot.settle()
    return http("GET", f"{bot.url}/incidents/{incident_id}/report.md", headers=headers)


def report_html(bot, incident_id: int = 1, token: str | None = TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return http("GET", f"{bot.url}/incidents/{incident_id}/report", headers=headers)


def sections(markdown: str) -> dict[str, str]:
    """The report's ``##`` sections by title, in order."""
    parts = re.split(r"^## (.+)$", markdown, flags=re.MULTILINE)
    return {title: body.strip() for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def unescaped(markdown: str) -> str:
    """Markdown text as read: backslash escapes dropped."""
    return re.sub(r"\\(.)", r"\1", markdown)


def events(bot, incident_id: int = 1):
    return incident(bot, incident_id).events
