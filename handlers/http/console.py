"""The internal web console: ``/``, ``/incidents``, ``/incidents/<number>``, ``/oncall``; sign-in required.

Query parameters are read leniently: one of the wrong type or an unknown value is ignored and
its default used, so a hand-edited URL shows a page, never an error.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.console.queries import ConsoleQueries, Filters, IncidentNotFound
from bot.web.auth import Access
from bot.web.pages import Pages
from models import Status
from models.incident import incident_id, incident_number

MAX_SEARCH = 200


def routes(access: Access, pages: Pages, console: ConsoleQueries) -> list[Route]:
    async def incidents(request: Request) -> Response:
        filters = filters_from(request.query_params, console.severities())
        listing = await run_in_threadpool(console.incidents, filters)
        return await pages.render_naming(request, "incidents.html", listing=listing, severities=console.severities(),
                            services=console.services(), statuses=["open", *Status])

    async def incident(request: Request) -> Response:
        ref = request.path_params["ref"]
        number = incident_id(ref)
        if number is None:
            return _not_found(request, ref)
        if not ref.isdigit():  # INC-12, as Slack and people write it
            return RedirectResponse(f"/incidents/{number}", status_code=301)
        try:
            detail = await run_in_threadpool(console.incident, number)
        except IncidentNotFound:
            return _not_found(request, incident_number(number))
        return await pages.render_naming(request, "incident.html", incident=detail)

    async def oncall(request: Request) -> Response:
        return await pages.render_naming(request, "oncall.html", schedules=await run_in_threadpool(console.oncall))

    def _not_found(request: Request, what: str) -> Response:
        return pages.render(request, "not_found.html", 404, what=what)

    return [
        Route("/", access.page(incidents), methods=["GET"]),
        Route("/incidents", access.page(incidents), methods=["GET"]),
        Route("/incidents/{ref}", access.page(incident), methods=["GET"]),
        Route("/oncall", access.page(oncall), methods=["GET"]),
    ]


def filters_from(query: QueryParams, severities: list[str]) -> Filters:
    status = query.get("status", "").strip().lower()
    severity = query.get("severity", "").strip().lower()
    page = query.get("page", "")
    return Filters(
        status=status if status in ("open", *Status) else None,
        severity=severity if severity in severities else None,
        service=query.get("service", "").strip()[:100] or None,
        q=query.get("q", "").strip()[:MAX_SEARCH] or None,
        page=int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1,
    )
