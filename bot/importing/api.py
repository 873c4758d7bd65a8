"""One HTTP client for every source: its token header, its pagination, 429s and 5xx retried.

Retries are urllib3's ``Retry`` (honours ``Retry-After`` on 429 and 503, backs off otherwise), so
nothing here sleeps by hand. A failure that retrying cannot fix becomes an ``ImportFailure`` whose
message is the one line the command prints.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

TIMEOUT = 30.0
RETRIES = Retry(total=6, connect=2, read=2, status=5, backoff_factor=0.5, backoff_max=30,
                status_forcelist=(429, 500, 502, 503, 504), allowed_methods=("GET",),
                respect_retry_after_header=True, raise_on_status=False)


class ImportFailure(Exception):
    """The import cannot go on: ``str()`` is the one-line message, ``status`` the exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


class Api:
    """GETs JSON from ``base`` (ending in /) with ``headers``; ``what`` names the source in messages."""

    def __init__(self, base: str, headers: dict[str, str], what: str, token_hint: str, retries: Retry | None = None) -> None:
        self.base = base if base.endswith("/") else base + "/"
        self.what = what
        self._token_hint = token_hint
        self._session = requests.Session()
        self._session.headers.update({"User-Agent": "incident-bot-import", **headers})
        adapter = HTTPAdapter(max_retries=retries or RETRIES)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def get(self, path: str, params: dict | None = None) -> dict:
        """The JSON body of ``GET base/path`` (or of a whole URL the source handed out, such as a next page)."""
        url = path if path.startswith(("http://", "https://")) else urljoin(self.base, path.lstrip("/"))
        try:
            response = self._session.get(url, params=params, timeout=TIMEOUT)
        except requests.exceptions.RequestException as exc:
            raise ImportFailure(f"cannot reach {self.what} at {self.base}: {_reason(exc)}; check --url and the network",
                                status=1) from None
        if response.status_code in (401, 403):
            raise ImportFailure(f"{self.what} refused the token ({response.status_code}: {_detail(response)}); "
                                f"{self._token_hint}", status=2)
        if response.status_code == 404:
            raise ImportFailure(f"{self.what} has no {url} (404); check --url", status=2)
        if response.status_code >= 400:
            later = "; it kept answering so after retries, try again in a few minutes" \
                if response.status_code in RETRIES.status_forcelist else ""
            raise ImportFailure(f"{self.what} answered {response.status_code} to GET {url}: {_detail(response)}{later}")
        try:
            return response.json()
        except ValueError:
            raise ImportFailure(f"{self.what} answered GET {url} with something that is not JSON; check --url",
                                status=2) from None

    def offset_pages(self, path: str, key: str, params: dict | None = None, limit: int = 100) -> Iterator[dict]:
        """PagerDuty's classic pagination: ``offset``/``limit`` until ``more`` is false."""
        offset = 0
        while True:
            body = self.get(path, {**(params or {}), "offset": offset, "limit": limit})
            items = body.get(key) or []
            yield from items
            if not body.get("more") or not items:
                return
            offset += len(items)

    def next_pages(self, path: str, key: str, params: dict | None = None,
                   next_of=lambda body: body.get("next")) -> Iterator[dict]:
        """Pagination by a ``next`` URL in each page (Grafana OnCall's, Opsgenie's ``paging.next``)."""
        body = self.get(path, params)
        while True:
            yield from body.get(key) or []
            following = next_of(body)
            if not following:
                return
            body = self.get(following)


def _reason(exc: Exception) -> str:
    text = str(exc)
    for known in ("Connection refused", "Name or service not known", "timed out", "No route to host",
                  "Temporary failure in name resolution", "certificate verify failed"):
        if known in text:
            return known.lower()
    return type(exc).__name__


def _detail(response: requests.Response) -> str:
    """The source's own error message, shortened to stay on one line."""
    try:
        body = response.json()
    except ValueError:
        lines = (response.text or "").strip().splitlines()
        return lines[0][:120] if lines else (response.reason or "no reason given")
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or error)[:160]
        for key in ("message", "detail", "error"):
            if body.get(key):
                return str(body[key])[:160]
    return str(body)[:160]
