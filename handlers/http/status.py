"""``GET /status``, ``/status.json``, ``/status/feed.atom``: the public status page, no sign-in.

Served from ``bot.web.status_cache``; every answer carries an ETag, and a reader who already
has the current version gets a 304. ``Cache-Control: public, no-cache``: browsers and CDNs
keep a copy but ask before using it, so a change shows at once and costs them one 304.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.web.status_cache import StatusCache

CACHE_CONTROL = "public, no-cache"


def routes(cache: StatusCache) -> list[Route]:
    def endpoint(kind: str):
        async def serve(request: Request) -> Response:
            rendered = cache.fresh(kind) or await run_in_threadpool(cache.get, kind)
            headers = {"ETag": rendered.etag, "Cache-Control": CACHE_CONTROL}
            if rendered.etag in _etags(request.headers.get("if-none-match", "")):
                return Response(status_code=304, headers=headers)
            return Response(rendered.body, media_type=rendered.media_type, headers=headers)

        return serve

    return [
        Route("/status", endpoint("html"), methods=["GET", "HEAD"]),
        Route("/status.json", endpoint("json"), methods=["GET", "HEAD"]),
        Route("/status/feed.atom", endpoint("atom"), methods=["GET", "HEAD"]),
    ]


def _etags(header: str) -> set[str]:
    """If-None-Match's tags, weak or strong (a GET compares them weakly)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
