"""Heartbeat check-ins (``POST``/``GET /heartbeats/<name>``, for a cron line's ``curl``) and the
console's ``GET /heartbeats``.

The token comes first (a wrong one learns nothing, not even which names exist), then the name (an
unknown one is a 404 and writes nothing), then the body, which a check-in does not need: one over
``CHECKIN_MAX_BYTES`` is a 413, decided from its Content-Length before a byte of it is kept.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.watch.heartbeats import HeartbeatService
from bot.web.auth import Access
from bot.web.pages import Pages
from handlers.http.webhooks import body_within, check_token

CHECKIN_MAX_BYTES = 64 * 1024


def routes(heartbeats: HeartbeatService, token: str | None, access: Access, pages: Pages) -> list[Route]:
    async def check_in(request: Request) -> Response:
        refusal = check_token(request, token, in_query=True)
        if refusal is not None:
            return refusal
        name = request.path_params["name"]
        if not heartbeats.known(name):
            return JSONResponse({"error": f"no heartbeat is called {name[:100]!r}: add it under heartbeats in "
                                          "incidents.yaml"}, status_code=404)
        if await body_within(request, CHECKIN_MAX_BYTES) is None:
            return JSONResponse({"error": f"a check-in needs no body; this one is over {CHECKIN_MAX_BYTES} bytes",
                                 "limit": CHECKIN_MAX_BYTES}, status_code=413)
        await run_in_threadpool(heartbeats.check_in, name)
        return Response(status_code=204)

    async def listing(request: Request) -> Response:
        return pages.render(request, "heartbeats.html", heartbeats=await run_in_threadpool(heartbeats.states))

    return [
        Route("/heartbeats", access.page(listing), methods=["GET"]),
        Route("/heartbeats/{name}", check_in, methods=["GET", "POST"]),
    ]
