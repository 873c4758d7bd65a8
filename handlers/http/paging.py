"""Acknowledging a page from outside Slack: the signed link in every SMS, push and e-mail, a key
pressed during a call, an SMS reply "ACK". Each reaches the same ``IncidentService.acknowledge``
as Slack's button, as the person who was paged.

``GET /ack/<token>`` only shows a button: phones and mail scanners fetch links to preview them,
and a preview must not acknowledge for someone asleep. ``POST`` (the button, ntfy's action)
acknowledges. Twilio's and PagerDuty's webhooks are refused (403) unless their signature checks out.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels.pagerduty import genuine_webhook
from bot.channels.twilio import TwilioSender, say, sms_reply
from bot.core.clock import Clock
from bot.core.errors import UserError
from bot.incidents.service import IncidentService
from bot.paging.ack_links import AckLinks, BadAckLink
from bot.paging.bridge import PagerDutyBridge, incident_of
from bot.paging.steps import NotificationSteps
from bot.web.pages import Pages

ACK_WORDS = frozenset({"ack", "acknowledge", "1", "ok"})


def routes(pages: Pages, links: AckLinks, incidents: IncidentService, steps: NotificationSteps, clock: Clock,
           twilio: TwilioSender | None, public_url: str, pagerduty_secret: str | None) -> list[Route]:

    def acknowledge(incident_id: int, user: str) -> str:
        """What to tell the person: acknowledged, or why not (already, by whom)."""
        try:
            incident = incidents.acknowledge(incident_id, user)
        except UserError as exc:
            return exc.message
        return f"You acknowledged {incident.number}: {incident.title}."

    async def show(request: Request) -> Response:
        try:
            link = await run_in_threadpool(links.read, request.path_params["token"], clock.now())
        except BadAckLink as exc:
            return pages.render(request, "ack.html", status_code=403, problem=str(exc))
        return pages.render(request, "ack.html", incident_id=link.incident_id)

    async def ack(request: Request) -> Response:
        try:
            link = await run_in_threadpool(links.use, request.path_params["token"], clock.now())
        except BadAckLink as exc:
            return pages.render(request, "ack.html", status_code=403, problem=str(exc))
        done = await run_in_threadpool(acknowledge, link.incident_id, link.user_id)
        return pages.render(request, "ack.html", done=done)

    async def signed_form(request: Request) -> dict[str, str] | None:
        """The form Twilio posted, if Twilio signed it (the URL it signed is PUBLIC_URL's)."""
        if twilio is None:
            return None
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
        url = f"{public_url}{request.url.path}" + (f"?{request.url.query}" if request.url.query else "")
        return form if twilio.genuine(url, form, request.headers.get("X-Twilio-Signature", "")) else None

    async def voice(request: Request) -> Response:
        form = await signed_form(request)
        if form is None:
            return Response("Forbidden: not signed by Twilio", status_code=403)
        if form.get("Digits") != "1":
            return _twiml(say("Not acknowledged. Goodbye."))
        try:
            link = await run_in_threadpool(links.use, request.query_params.get("ack", ""), clock.now())
        except BadAckLink as exc:
            return _twiml(say(exc.message))
        return _twiml(say(await run_in_threadpool(acknowledge, link.incident_id, link.user_id)))

    async def sms(request: Request) -> Response:
        form = await signed_form(request)
        if form is None:
            return Response("Forbidden: not signed by Twilio", status_code=403)
        if form.get("Body", "").strip().lower() not in ACK_WORDS:
            return _twiml(sms_reply("Reply ACK to acknowledge the page."))
        delivery = await run_in_threadpool(steps.by_reply, "sms", form.get("From", ""))
        if delivery is None:
            return _twiml(sms_reply("No page to this number is waiting for an acknowledgement."))
        return _twiml(sms_reply(await run_in_threadpool(acknowledge, delivery.incident_id, delivery.user_id)))

    async def pagerduty(request: Request) -> Response:
        """PagerDuty's webhooks v3: ``incident.acknowledged`` of an incident this bot triggered acknowledges it."""
        secret = pagerduty_secret
        body = await request.body()
        if not secret or not genuine_webhook(secret, body, request.headers.get("X-PagerDuty-Signature", "")):
            return JSONResponse({"error": "not signed with PAGERDUTY_WEBHOOK_SECRET"}, status_code=403)
        try:
            event = json.loads(body)["event"]
            kind, data, agent = event["event_type"], event.get("data") or {}, event.get("agent") or {}
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "event: expected a PagerDuty v3 webhook body"}, status_code=400)
        incident_id = incident_of(str(data.get("incident_key") or ""))
        if kind != "incident.acknowledged" or incident_id is None:
            return JSONResponse({"ignored": kind}, status_code=202)
        actor = PagerDutyBridge.actor(str(agent.get("summary") or "someone"))
        said = await run_in_threadpool(acknowledge, incident_id, actor)
        return JSONResponse({"result": said})

    return [
        Route("/webhooks/pagerduty", pagerduty, methods=["POST"]),
        Route("/ack/{token}", show, methods=["GET"]),
        Route("/ack/{token}", ack, methods=["POST"]),
        Route("/webhooks/twilio/voice", voice, methods=["POST"]),
        Route("/webhooks/twilio/sms", sms, methods=["POST"]),
    ]


def _twiml(body: str) -> Response:
    return Response(body, media_type="application/xml")
