"""``GET /healthz``: is the database answering, within a second; has a worker finished a tick of
its timers within a minute (``bot.watch.liveness``: else ``failing``, a 503, as nothing would page);
and is the Slack app set up so that it can do its job (a problem met in the last minutes is named,
status ``degraded``).

The route is anonymous, and a driver's message names the database's host, port and name: a
503 gives a generic reason ("unreachable", "not answering within 1s"), the log the details.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.core.db import ping
from bot.core.problems import AppProblems
from bot.core.threads import named_pool
from bot.watch.liveness import Liveness

log = logging.getLogger(__name__)

DEADLINE = 1.0
"""Seconds the database has to answer before /healthz says it is not answering."""


def routes(engine: Engine, problems: AppProblems, liveness: Liveness) -> list[Route]:
    # One thread of its own: a ping stuck on a silent database holds it, never the server's pool;
    # later pings queue behind it and are dropped at their deadline.
    pinger = named_pool("healthz", 1)

    async def healthz(request: Request) -> JSONResponse:
        try:
            await asyncio.wait_for(asyncio.wrap_future(pinger.submit(ping, engine)), DEADLINE)
        except TimeoutError:
            log.warning("/healthz: the database did not answer within %gs", DEADLINE)
            return _unhealthy(f"not answering within {DEADLINE:g}s")
        except SQLAlchemyError as exc:
            log.warning("/healthz: the database is unreachable: %s", str(getattr(exc, "orig", None) or exc).splitlines()[0])
            return _unhealthy("unreachable")
        stalled = await run_in_threadpool(liveness.worker_problem)
        if stalled:
            log.warning("/healthz: the worker is failing: %s", stalled)
            return JSONResponse({"status": "failing", "database": "ok", "worker": stalled}, status_code=503)
        trouble = await run_in_threadpool(problems.current)
        if trouble:
            return JSONResponse({"status": "degraded", "database": "ok", "worker": "ok", "slack": " ".join(trouble)})
        return JSONResponse({"status": "ok", "database": "ok", "worker": "ok"})

    return [Route("/healthz", healthz, methods=["GET"])]


def _unhealthy(reason: str) -> JSONResponse:
    return JSONResponse({"status": "error", "database": reason}, status_code=503)
