"""A threaded HTTP server for a fake provider: failures to inject, answers to lose, requests recorded."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() of its arrival (the benchmark measures rates from it)

    def form(self) -> dict[str, str]:
        return {key: values[-1] for key, values in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    def json(self):
        return json.loads(self.body)


class Refused(Exception):
    """An answer the real service gives to a bad request: status and JSON body."""

    def __init__(self, status: int, body: dict) -> None:
        self.status, self.body = status, body


class FakeServer:
    def __init__(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                fake._serve(self)

            do_GET = do_POST = _any

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._lock = threading.Lock()
        self.reset()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def reset(self) -> None:
        with self._lock:
            self.requests: list[Request] = []
            self.problems: list[str] = []  # malformed requests the real service would refuse
            self._failures: list[tuple[int, dict[str, str]]] = []
            self._lost = 0
            self._held: list[float] = []

    def fail(self, status: int, times: int = 1, retry_after: float | None = None) -> None:
        """Answer the next ``times`` requests with ``status`` (and do nothing), with ``Retry-After`` if given."""
        headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
        with self._lock:
            self._failures += [(status, headers)] * times

    def lose_answers(self, times: int = 1) -> None:
        """Carry out the next ``times`` requests, then hang up without answering."""
        with self._lock:
            self._lost += times

    def hold_answers(self, seconds: float, times: int = 1) -> None:
        """Carry out the next ``times`` requests, then answer each only after ``seconds`` (a process can be
        killed meanwhile, its request done and its answer never read)."""
        with self._lock:
            self._held += [seconds] * times

    def wait_for(self, found: Callable[[], object], timeout: float = 10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = found()
            if value:
                return value
            time.sleep(0.01)
        raise AssertionError("the fake provider never saw what the test waited for")

    def handle(self, request: Request) -> tuple[int, object]:
        raise NotImplementedError

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(handler.command, parts.path, parse_qs(parts.query), dict(handler.headers.items()),
                          handler.rfile.read(length), time.time())
        with self._lock:
            failure, extra = self._failures.pop(0) if self._failures else (None, {})
            lose = failure is None and self._lost > 0
            if lose:
                self._lost -= 1
            hold = self._held.pop(0) if failure is None and not lose and self._held else 0.0
        if failure is not None:
            status, body = failure, {"code": 20500 if failure >= 500 else 20429, "message": "injected failure",
                                     "status": failure}
        else:
            try:
                with self._lock:
                    self.requests.append(request)
                    status, body = self.handle(request)
            except Refused as exc:
                with self._lock:
                    self.problems.append(f"{request.method} {request.path}: {exc.body}")
                status, body = exc.status, exc.body
        if lose:
            handler.close_connection = True
            return
        time.sleep(hold)
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/x-ndjson" if isinstance(body, str) else "application/json")
            handler.send_header("Content-Length", str(len(data)))
            for name, value in extra.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # a held answer whose caller was killed meanwhile
            handler.close_connection = True
