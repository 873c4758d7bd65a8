"""``GET /oncall/<schedule>.ics`` (signed in), ``GET /oncall/people/<U…>.ics?token=…`` (the person's secret),
and ``GET /stats/oncall.csv`` (signed in): who carries the pager."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.console.fairness import COLUMNS, FairnessService
from bot.core.clock import Clock
from bot.core.errors import UserError
from bot.paging.calendars import CalendarService
from bot.web.auth import Access
from bot.web.ics import ics

ICS = "text/calendar; charset=utf-8"


def routes(access: Access, calendars: CalendarService, fairness: FairnessService, clock: Clock,
           public_url: str, names: Callable[[Iterable[str]], dict[str, str]]) -> list[Route]:
    async def schedule(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            shifts = await run_in_threadpool(calendars.schedule_shifts, name)
        except UserError as error:
            return PlainTextResponse(error.message, status_code=404)
        body = ics(f"On call: {shifts[0].schedule if shifts else name}", shifts, clock.now(), public_url)
        return Response(body, media_type=ICS, headers={"Content-Disposition": f'inline; filename="{name}.ics"'})

    async def person(request: Request) -> Response:
        user = request.path_params["user"]
        token = request.query_params.get("token", "")
        if not token or not await run_in_threadpool(calendars.token_matches, user, token):
            return PlainTextResponse("Not found", status_code=404)  # a wrong token says nothing of the person
        shifts = await run_in_threadpool(calendars.person_shifts, user)
        return Response(ics("My on-call shifts", shifts, clock.now(), public_url), media_type=ICS)

    async def loads(request: Request) -> Response:
        query = request.query_params
        found = await run_in_threadpool(fairness.loads, query.get("since"), query.get("until"))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        named = await run_in_threadpool(names, {load.user for load in found})
        for load in found:
            writer.writerow([load.user, named.get(load.user, load.user), load.schedule, f"{load.hours:.2f}",
                             f"{load.out_of_hours:.2f}", load.pages, load.night_pages])
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="oncall.csv"'})

    return [
        Route("/stats/oncall.csv", access.file(loads), methods=["GET"]),
        Route("/oncall/people/{user}.ics", person, methods=["GET"]),
        Route("/oncall/{name}.ics", access.file(schedule), methods=["GET"]),
    ]
