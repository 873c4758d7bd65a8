"""``GET /stats`` (the retro figures with charts; ``period`` as ``/incident stats`` takes it, ``service``)
and ``GET /stats/pages.csv``, ``/stats/incidents.csv`` (``since``, ``until`` ISO dates; ``service``),
behind the console's sign-in."""

from __future__ import annotations

import base64
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from bot.console.fairness import FairnessService
from bot.core.errors import UserError
from bot.retro.charts import PHONE, retro_chart
from bot.retro.service import RetroService, Weekly
from bot.web.auth import Access
from bot.web.pages import Pages


def routes(access: Access, pages: Pages, retro: RetroService, fairness: FairnessService) -> list[Route]:
    def export(kind: str):
        async def csv(request: Request) -> Response:
            query = request.query_params
            lines = await run_in_threadpool(retro.csv, kind, query.get("since"), query.get("until"),
                                            query.get("service") or None)
            return StreamingResponse(lines, media_type="text/csv; charset=utf-8", headers={
                "Content-Disposition": f'attachment; filename="{kind}.csv"'})
        return csv

    async def stats(request: Request) -> Response:
        period = request.query_params.get("period", "").strip()[:60] or "4w"
        service = request.query_params.get("service", "").strip()[:100] or None
        form = {"period": period, "service": service or ""}
        try:
            weekly, chart, phone_chart = await run_in_threadpool(_figures, retro, pages, period, service)
        except UserError as exc:
            return pages.render(request, "stats.html", 400, problem=str(exc), form=form, services=retro.services())
        try:
            loads, loads_problem = await run_in_threadpool(fairness.between, weekly.period.since,
                                                           weekly.period.until, True), None
        except UserError as exc:
            loads, loads_problem = [], str(exc)
        tz = pages.tz
        dates = (f"since={weekly.period.since.astimezone(tz).date()}"
                 f"&until={(weekly.period.until - timedelta(microseconds=1)).astimezone(tz).date()}")
        csv_query = dates + (f"&service={weekly.service}" if weekly.service else "")
        return await pages.render_naming(request, "stats.html", weekly=weekly, chart=chart, phone_chart=phone_chart,
                                         form=form, csv_query=csv_query, dates=dates, loads=loads, loads_problem=loads_problem,
                                         services=retro.services())

    return [Route("/stats", access.page(stats), methods=["GET"]),
            Route("/stats/pages.csv", access.file(export("pages")), methods=["GET"]),
            Route("/stats/incidents.csv", access.file(export("incidents")), methods=["GET"])]


def _figures(retro: RetroService, pages: Pages, period: str, service: str | None) -> tuple[Weekly, str, str]:
    """The figures and their chart as SVG data URIs, one for a desktop's width and one drawn for a
    phone's (drawn by matplotlib; one request per page), people labelled by name."""
    weekly = retro.page(period, service)
    names = pages.names({p.user_id for people in weekly.people.values() for p in people})
    charts = [retro_chart(weekly, retro.severities(), fmt="svg", names=names, size=size) for size in (None, PHONE)]
    return weekly, *("data:image/svg+xml;base64," + base64.b64encode(svg).decode() for svg in charts)
