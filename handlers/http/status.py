"""``GET /status``, ``/status.json``, ``/status/feed.atom``: the public status page, no sign-in.

Served from ``bot.web.status_cache``; every answer carries an ETag, and a reader who already
has the current version gets a 304. ``Cache-Control: public, no-cache``: browsers and CDNs
keep a copy but ask before using it, so a change shows at once and costs them one 304. Each
version's two answers are built once (headers encoded, body in place) and sent to every reader.
"""

from __future__ import annotations

from functools import lru_cache

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.web.status_cache import Rendered, StatusCache

CACHE_CONTROL = "public, no-cache"


def routes(cache: StatusCache) -> list[Route]:
    def endpoint(kind: str):
        async def serve(request: Request) -> Response:
            rendered = cache.fresh(kind) or await run_in_threadpool(cache.get, kind)
            whole, not_modified = _answers(rendered)
            match = request.headers.get("if-none-match")
            return not_modified if match and rendered.etag in _etags(match) else whole

        return serve

    return [
        Route("/status", endpoint("html"), methods=["GET", "HEAD"]),
        Route("/status.json", endpoint("json"), methods=["GET", "HEAD"]),
        Route("/status/feed.atom", endpoint("atom"), methods=["GET", "HEAD"]),
    ]


@lru_cache(maxsize=8)
def _answers(rendered: Rendered) -> tuple[Response, Response]:
    """The whole answer and the 304 for one version of one format (nothing in them changes per request)."""
    headers = {"ETag": rendered.etag, "Cache-Control": CACHE_CONTROL}
    return Response(rendered.body, media_type=rendered.media_type, headers=headers), \
        Response(status_code=304, headers=headers)


def _etags(header: str) -> set[str]:
    """If-None-Match's tags, weak or strong (a GET compares them weakly)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
