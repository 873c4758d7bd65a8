"""``POST /slack/events``: Slack's commands, interactivity and events, verified here, then handed to Bolt.

Bolt's own Starlette adapter calls a synchronous app's ``dispatch`` on the event loop, so
one slow dispatch stalls every request. Here each dispatch runs on a worker thread, counted by a
limiter of Slack's own: the routes' shared one (40 threads) can be taken by pages or check-ins
waiting on a busy database, and an ack must never queue behind them (Slack drops it after 3 s).
A refused request is logged in one line with the reason, never with its body.
"""

from __future__ import annotations

import logging

import anyio
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_starlette_response
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.slack.effects import AckFirst
from handlers.http.slack_request import Refused, bolt_request, verify

log = logging.getLogger(__name__)

SLACK_OFF = ("Slack is off on this server: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET "
             "(see the README) and restart it.")
NO_SECRET = ("This server takes Slack's requests by Socket Mode and has no SLACK_SIGNING_SECRET to verify "
             "HTTP ones: set it to use this endpoint.")


SLACK_THREADS = 64
"""Slack requests dispatched at once. Each holds its thread at most until its ack
(``handlers.slack.replies.ANSWER_DEADLINE``), so this bounds a burst, never a backlog."""


def routes(bolt: App | None, signing_secret: str | None, gate: AckFirst) -> list[Route]:
    slack_threads = anyio.CapacityLimiter(SLACK_THREADS)

    async def slack_events(request: Request) -> Response:
        if bolt is None:
            return JSONResponse({"error": SLACK_OFF}, status_code=503)
        if not signing_secret:
            return JSONResponse({"error": NO_SECRET}, status_code=503)
        body = await request.body()
        try:
            text = verify(signing_secret, request.headers, body)
            for_bolt = bolt_request(text, request.headers, str(request.query_params))
        except Refused as refusal:
            log.warning("refused a request to /slack/events: %s", refusal)
            return JSONResponse({"error": str(refusal)}, status_code=refusal.status)
        with gate.request():
            response = await anyio.to_thread.run_sync(bolt.dispatch, for_bolt, limiter=slack_threads)
        return to_starlette_response(response)

    return [Route("/slack/events", slack_events, methods=["POST"])]
