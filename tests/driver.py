"""Drive the real app over real HTTP, the way Slack does: signed requests to ``/slack/events``."""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from slack_bolt import App
from slack_sdk.signature import SignatureVerifier

from bot.app import AppContext, build_context, create_bolt_app, create_web_app
from bot.core.db import BUSY_TIMEOUT
from bot.slack.blocks.replies import BUSY
from handlers.slack.replies import wait_for_answers
from tests.db import shared_engine

SIGNING_SECRET = "test-signing-secret"
TEAM = "T0001"


@dataclass
class HttpResponse:
    status: int
    body: bytes  # as sent: urllib never decompresses
    elapsed: float
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def http(method: str, url: str, body: bytes = b"", headers: dict | None = None, timeout: float = 30) -> HttpResponse:
    request = urllib.request.Request(url, data=body if method != "GET" else None, method=method, headers=headers or {})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return HttpResponse(response.status, response.read(), time.perf_counter() - started, _lower(response.headers))
    except urllib.error.HTTPError as error:  # a 304 is one too, for urllib
        return HttpResponse(error.code, error.read(), time.perf_counter() - started, _lower(error.headers))


def _lower(headers) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


class Server:
    """Uvicorn serving an ASGI app on a free port, in a thread of this process. The app can be
    swapped (``serve``), so that one server serves test after test: stopping uvicorn costs a
    fifth of a second, which over the suite is more than a minute."""

    def __init__(self, asgi_app=None) -> None:
        self.app = asgi_app
        self._server = uvicorn.Server(uvicorn.Config(self._dispatch, host="127.0.0.1", port=0, log_level="warning",
                                                     lifespan="off", interface="asgi3"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self.url: str | None = None
        self.answered: list[tuple[str, float]] = []  # (path, seconds to the response's start)

    async def _dispatch(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message) -> None:
            if message["type"] == "http.response.start":
                self.answered.append((scope["path"], time.perf_counter() - started))
            await send(message)

        await self.app(scope, receive, timed)

    def answer_times(self, path: str = "/slack/events") -> list[float]:
        """Seconds from each request to ``path`` reaching the app to its response starting: the ack's
        time where the bot makes it, which a starved test client's own wall clock overstates."""
        return [seconds for answered, seconds in self.answered if answered == path]

    def start(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


class ServerPool:
    """Servers kept for the whole test session and lent to one bot at a time."""

    def __init__(self) -> None:
        self._idle: list[Server] = []
        self._all: list[Server] = []
        self._lock = threading.Lock()

    def lend(self, asgi_app) -> Server:
        with self._lock:
            server = self._idle.pop() if self._idle else None
        if server is None:
            server = Server()
            server.app = asgi_app
            server.start()
            with self._lock:
                self._all.append(server)
        server.app = asgi_app
        server.answered = []
        return server

    def give_back(self, server: Server) -> None:
        server.app = None
        with self._lock:
            self._idle.append(server)

    def stop(self) -> None:
        for server in self._all:
            server.stop()


class Listeners(Executor):
    """Bolt's listener executor, watched: Bolt acks an event before its listener runs there, so a
    test waits for the listeners instead of sleeping (and an ignored event is known to be ignored)."""

    def __init__(self, bolt: App) -> None:
        runner = bolt.listener_runner
        self._inner, runner.listener_executor = runner.listener_executor, self
        self._futures: list[Future] = []

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future = self._inner.submit(fn, *args, **kwargs)
        self._futures.append(future)
        return future

    def wait(self, timeout: float = 15) -> None:
        _, running = wait(self._futures, timeout)
        if running:
            raise TimeoutError(f"Bolt listeners still running after {timeout}s")


@dataclass
class Bot:
    ctx: AppContext
    url: str
    fake: Any
    server: Server
    servers: ServerPool
    listeners: Listeners | None = None
    channel: str = "CGENERAL"
    secret: str = SIGNING_SECRET
    _trigger: int = field(default=0)
    """The last trigger number handed out (tests read it to find the answer of the request just sent)."""
    _triggers: threading.Lock = field(default_factory=threading.Lock)
    _run: str = field(default_factory=lambda: secrets.token_hex(4))  # trigger ids are unique across bots
    _event: int = field(default=0)

    # -- what Slack sends ----------------------------------------------------------------

    def post_signed(self, body: bytes, content_type: str, timestamp: int | None = None,
                    secret: str | None = None) -> HttpResponse:
        timestamp = int(time.time()) if timestamp is None else timestamp
        signature = SignatureVerifier(secret or self.secret).generate_signature(timestamp=str(timestamp), body=body)
        return http("POST", f"{self.url}/slack/events", body, {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature,
        })

    def _next_trigger(self) -> int:
        """A trigger number of its own for each request, also when threads send at once (two requests
        sharing one would be a replay to the bot)."""
        with self._triggers:
            self._trigger += 1
            return self._trigger

    def command(self, text: str, user: str = "U01ALICE", channel: str | None = None, follow_late: bool = True,
                **signing) -> HttpResponse:
        """``/incident <text>`` as Slack sends it; the ack. When the bot acked with ``BUSY`` (its work
        missed the deadline, as on a machine busy with other work), the answer that followed at the
        response URL instead, as the person reads it, unless ``follow_late`` is off (or the app runs
        elsewhere: benchmarks take the ack as it is)."""
        trigger = self._next_trigger()
        response = self._command(trigger, text, user, channel, **signing)
        if follow_late and self.ctx is not None and response.status == 200 \
                and (response.json() or {}).get("text") == BUSY.text:
            self.settle()
            [answer] = self.fake.responses_for(f"cmd{trigger}")
            return HttpResponse(200, json.dumps(answer).encode(), response.elapsed)
        return response

    def _command(self, trigger: int, text: str, user: str, channel: str | None, **signing) -> HttpResponse:
        form = {
            "token": "legacy", "team_id": TEAM, "team_domain": "acme", "channel_id": channel or self.channel,
            "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/incident",
            "text": text, "api_app_id": "A0001", "is_enterprise_install": "false",
            "response_url": self.fake.response_url(f"cmd{trigger}"),
            "trigger_id": f"trigger.{self._run}.{trigger}",
        }
        return self.post_signed(urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded", **signing)

    def interact(self, payload: dict) -> HttpResponse:
        payload = {"team": {"id": TEAM, "domain": "acme"}, "api_app_id": "A0001", "token": "legacy", **payload}
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.post_signed(body, "application/x-www-form-urlencoded")

    def click(self, action_id: str, incident_id: int, user: str = "U01ALICE", channel: str | None = None,
              message_ts: str | None = None) -> HttpResponse:
        """A button pressed; ``message_ts``: on that message of ``channel`` (its response URL can replace it)."""
        trigger = self._next_trigger()
        container = {"type": "message", "channel_id": channel or "C1"}
        source = None
        if message_ts is not None:
            container["message_ts"] = message_ts
            source = (channel or "C1", message_ts)
        return self.interact({
            "type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "trigger_id": f"trigger.{self._run}.{trigger}", "container": container,
            "channel": {"id": channel or "C1", "name": "inc"},
            "response_url": self.fake.response_url(f"act{trigger}", message=source),
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": str(incident_id),
                         "action_ts": str(time.time())}],
        })

    def submit_view(self, callback_id: str, values: dict, user: str = "U01ALICE", private_metadata: str = "") -> HttpResponse:
        trigger = self._next_trigger()
        return self.interact({
            "type": "view_submission", "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "trigger_id": f"trigger.{self._run}.{trigger}",
            "view": {"id": "V1", "type": "modal", "callback_id": callback_id, "private_metadata": private_metadata,
                     "state": {"values": values}, "hash": "h"},
        })

    def event(self, event: dict) -> HttpResponse:
        """An Events API ``event_callback`` carrying ``event``; returns once Bolt's listener has run."""
        self._event += 1
        body = {"token": "legacy", "team_id": TEAM, "api_app_id": "A0001", "type": "event_callback", "event": event,
                "event_id": f"Ev{self._event:08d}", "event_time": int(time.time())}
        response = self.post_signed(json.dumps(body).encode(), "application/json")
        self.listeners.wait()
        return response

    @property
    def clock(self):
        return self.ctx.clock

    def webhook(self, path: str, body: dict | bytes, token: str | None = "hook-token") -> HttpResponse:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return http("POST", f"{self.url}/webhooks/{path}", data, headers)

    # -- waiting for the work after the ack ------------------------------------------------

    def settle(self, timeout: float = 15) -> None:
        """Until the listeners' work (a late one included) and the Slack work it caused are over."""
        wait_for_answers(timeout)
        self.ctx.effects.wait_idle(timeout)
        if self.ctx.people_lookup is not None:
            self.ctx.people_lookup.wait_idle(timeout)

    def close(self) -> None:
        self.servers.give_back(self.server)
        self.ctx.close()


def start_bot(settings, config, clock, fake, servers: ServerPool, **wiring) -> Bot:
    """``wiring`` goes to ``build_context`` (a shorter ``busy_timeout``, say); the app borrows the test
    process's engine for the database (``db.shared_engine``), one per busy timeout."""
    engine = shared_engine(settings.database_url, wiring.pop("busy_timeout", BUSY_TIMEOUT))
    ctx = build_context(settings, config, clock, slack_backoff=0, engine=engine, **wiring)
    bolt = create_bolt_app(ctx)
    listeners = Listeners(bolt)
    server = servers.lend(create_web_app(ctx, bolt))
    return Bot(ctx=ctx, url=server.url, fake=fake, server=server, servers=servers, listeners=listeners)
