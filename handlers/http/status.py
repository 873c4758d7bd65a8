"""``GET /status``, ``/status.json``, ``/status/feed.atom``: the public status page, no sign-in.

Served from ``bot.web.status_cache``; every answer carries an ETag, and a reader who already
has the current version gets a 304. ``Cache-Control: public, no-cache``: browsers and CDNs
keep a copy but ask before using it, so a change shows at once and costs them one 304. Each
version's answers are built once (headers encoded, body in place) and sent to every reader: to one
whose client takes gzip (every browser, every CDN), the body compressed once per version (the page
with two incidents goes as 1.7 KiB instead of 24.6, to a reader on a phone during an outage), with an
ETag of its own, as a different representation needs; ``Vary: Accept-Encoding`` on both keeps caches
from mixing them.
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
            etag, whole, not_modified = _answers(rendered, takes_gzip(request.headers.get("accept-encoding", "")))
            match = request.headers.get("if-none-match")
            return not_modified if match and etag in _etags(match) else whole

        return serve

    return [
        Route("/status", endpoint("html"), methods=["GET", "HEAD"]),
        Route("/status.json", endpoint("json"), methods=["GET", "HEAD"]),
        Route("/status/feed.atom", endpoint("atom"), methods=["GET", "HEAD"]),
    ]


@lru_cache(maxsize=16)
def _answers(rendered: Rendered, gzipped: bool) -> tuple[str, Response, Response]:
    """The ETag, the whole answer and the 304 for one version of one format, compressed or not (nothing
    in them changes per request)."""
    compressed = gzipped and rendered.gzipped is not None
    etag = f'{rendered.etag[:-1]}-gzip"' if compressed else rendered.etag
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
    whole = Response(rendered.gzipped if compressed else rendered.body, media_type=rendered.media_type,
                     headers=headers | ({"Content-Encoding": "gzip"} if compressed else {}))
    return etag, whole, Response(status_code=304, headers=headers)


def takes_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header takes gzip: named, or ``*``, with a q-value above 0 (RFC 9110,
    12.5.3); a header that names gzip with q=0 refuses it even if ``*`` is welcome."""
    weights = {}
    for item in accept_encoding.lower().split(","):
        coding, *parameters = (part.strip() for part in item.split(";"))
        if coding:
            weights[coding] = _weight(next((p[2:] for p in parameters if p.startswith("q=")), "1"))
    return weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0))) > 0


def _weight(q: str) -> float:
    """A q-value; one that is no number counts as a refusal."""
    try:
        return float(q)
    except ValueError:
        return 0.0


def _etags(header: str) -> set[str]:
    """If-None-Match's tags, weak or strong (a GET compares them weakly)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
