"""``GET /healthz``: is the database answering."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.core.db import ping


def routes(engine: Engine) -> list[Route]:
    def healthz(request: Request) -> JSONResponse:
        try:
            ping(engine)
        except SQLAlchemyError as exc:
            reason = str(exc.orig if getattr(exc, "orig", None) else exc).splitlines()[0]
            return JSONResponse({"status": "error", "database": reason}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return [Route("/healthz", healthz, methods=["GET"])]
