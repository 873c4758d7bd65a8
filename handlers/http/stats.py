"""``GET /stats`` (the retro figures with charts) and ``GET /stats/pages.csv``, ``/stats/incidents.csv``
(``since``, ``until`` ISO dates; ``service``), behind the console's sign-in."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from bot.core.errors import UserError
from bot.retro.service import RetroService
from bot.web.auth import Access


def routes(access: Access, retro: RetroService) -> list[Route]:
    def export(kind: str):
        async def csv(request: Request) -> Response:
            query = request.query_params
            try:
                lines = await run_in_threadpool(retro.csv, kind, query.get("since"), query.get("until"),
                                                query.get("service") or None)
            except UserError as exc:
                return JSONResponse({"error": str(exc), "field": exc.field or "since"}, status_code=400)
            return StreamingResponse(lines, media_type="text/csv; charset=utf-8", headers={
                "Content-Disposition": f'attachment; filename="{kind}.csv"'})
        return csv

    return [Route("/stats/pages.csv", access.file(export("pages")), methods=["GET"]),
            Route("/stats/incidents.csv", access.file(export("incidents")), methods=["GET"])]
