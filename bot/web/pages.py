"""Server-rendered pages: one Jinja2 environment, autoescaping everything, and the filters every
page shares (times in the configured zone, Slack text read as words). Only templates build HTML."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.core import markup

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


class Pages:
    def __init__(self, tz: ZoneInfo, public_url: str) -> None:
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                               trim_blocks=True, lstrip_blocks=True)
        self.env.filters["local"] = lambda moment, style="%a %d %b %Y %H:%M %Z": _local(moment, tz, style)
        self.env.filters["words"] = markup.plain
        self.env.globals["public_url"] = public_url

    def render(self, request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
        page = self.env.get_template(template).render(request=request, **context)
        return HTMLResponse(page, status_code=status_code)


def _local(moment: datetime | None, tz: ZoneInfo, style: str) -> str:
    return "" if moment is None else moment.astimezone(tz).strftime(style)
