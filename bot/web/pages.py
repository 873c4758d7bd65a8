"""Server-rendered pages: one Jinja2 environment, autoescaping everything, and the filters every
page shares (times in the configured zone, Slack text read as words). Only templates build HTML."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.core import markup
from bot.core.durations import format_duration
from bot.people import PeopleDirectory, Reader

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


class Pages:
    def __init__(self, tz: ZoneInfo, public_url: str, people: PeopleDirectory | None = None) -> None:
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                               trim_blocks=True, lstrip_blocks=True)
        self._people = people
        self.env.filters["local"] = lambda moment, style="%a %d %b %Y %H:%M %Z": _local(moment, tz, style)
        self.env.filters["words"] = _words
        self.env.filters["pagequery"] = _page_query
        self.env.filters["seconds"] = _seconds
        self.env.globals["public_url"] = public_url
        self.env.globals["timezone"] = str(tz)
        self.tz = tz

    def render(self, request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
        page = self.env.get_template(template).render(request=request, people=Reader(self._people), **context)
        return HTMLResponse(page, status_code=status_code)

    def names(self, user_ids) -> dict[str, str]:
        """Names for text a template does not write (a chart's labels)."""
        return self._people.names(user_ids) if self._people else {}

    async def render_naming(self, request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
        """``render`` for a page that names people: in a worker thread, as it reads the directory."""
        return await run_in_threadpool(self.render, request, template, status_code, **context)

    def render_text(self, template: str, **context) -> str:
        """A template without a request (a cached page, a feed); it names nobody."""
        return self.env.get_template(template).render(request=None, people=None, **context)


@pass_context
def _words(context, text: str | None) -> str:
    """Slack text as words, a mention as the person's name."""
    people = context.get("people")
    return markup.plain(text, people.name if people is not None else None)


def _local(moment: datetime | None, tz: ZoneInfo, style: str) -> str:
    return "" if moment is None else moment.astimezone(tz).strftime(style)


def _seconds(value: float | None) -> str:
    return "—" if value is None else format_duration(timedelta(seconds=round(value)))


def _page_query(query, page: int) -> str:
    """The list's query string with another page."""
    return urlencode([*((k, v) for k, v in query.multi_items() if k != "page"), ("page", str(page))])
