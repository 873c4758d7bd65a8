"""``GET /incidents/<number>/report`` (a page) and ``…/report.md`` (Markdown): the report draft,
rendered from the rows at each request, behind the console's sign-in (``bot.web.auth.Access``).
``INC-12`` is accepted for ``12`` and redirected to it."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.core.errors import IncidentNotFound
from bot.people import PeopleDirectory
from bot.reports.report import ReportService
from bot.slack.blocks.common import Rendering
from bot.slack.canvas import report_markdown
from bot.web.auth import Access
from bot.web.pages import Pages
from models.incident import incident_id


def routes(reports: ReportService, pages: Pages, access: Access, rendering: Rendering,
           people: PeopleDirectory) -> list[Route]:
    async def page(request: Request) -> Response:
        found = await _draft(request, "")
        if isinstance(found, Response):
            return found
        return await pages.render_naming(request, "report.html", draft=found,
                                         markdown_url=f"{rendering.report_url(found.incident_id)}.md")

    async def markdown(request: Request) -> Response:
        found = await _draft(request, ".md")
        if isinstance(found, Response):
            return found
        text = await run_in_threadpool(report_markdown, found, rendering.report_url(found.incident_id), people.reader().name)
        return PlainTextResponse(text, media_type="text/markdown; charset=utf-8", headers={
            "Content-Disposition": f'inline; filename="{found.number}-report.md"'})

    async def _draft(request: Request, suffix: str):
        written = request.path_params["number"]
        number = incident_id(written)
        if number is None:
            return _not_found(pages, request, f"{written} is not an incident number")
        if not written.isdigit():
            return RedirectResponse(f"/incidents/{number}/report{suffix}", status_code=301)
        try:
            return await run_in_threadpool(reports.draft, number)
        except IncidentNotFound as exc:
            return _not_found(pages, request, str(exc))

    return [Route("/incidents/{number}/report", access.page(page), methods=["GET"]),
            Route("/incidents/{number}/report.md", access.file(markdown), methods=["GET"])]


def _not_found(pages: Pages, request: Request, why: str) -> Response:
    if request.url.path.endswith(".md"):
        return PlainTextResponse(why, status_code=404)
    return pages.render(request, "report.html", status_code=404, draft=None, why=why)
