"""A strict, stateful fake of the Slack Web API, served over real HTTP for the bot's tests.

The bot reaches it through an unpatched `slack_sdk.WebClient(base_url=fake.base_url)`, so the
SDK's encoding, retries and error handling run for real. Every call is checked against the Slack
API reference (see apiref.py); a call Slack would refuse is appended to `fake.violations`, which
test fixtures assert to be empty at teardown.

By default the token holds every scope and no rate limit applies, so a test pays for neither;
grant() restricts the scopes (scopes.py) and enforce_tiers() turns Slack's tiers on (ratelimits.py).
"""

from __future__ import annotations

import base64
import copy
import json
import re
import socket
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import scopes as scope_table
from .apiref import ApiRef, load
from .documents import Documents
from .openid import OpenIdMixin
from .ratelimits import Limiter
from .wire import BOT_USER, SlackError, json_arg

BOT_NAME, BOT_ID, APP_ID = "incident-bot", "BBOT", "AFAKEAPP"
WORKSPACE_ADMIN = "U0ADMIN"  # who created the channels a test sets up
TEAM_ID, TEAM, WORKSPACE_URL = "T0001", "Fake Workspace", "https://fake.slack.com/"
AVATARS = "https://avatars.fake.slack-edge.com"
CHANNEL_NAME = re.compile(r"[a-z0-9_-]+")
# Arguments Slack expects as JSON; in a form body they must be a JSON string.
JSON_ARGS = ("blocks", "attachments", "view", "metadata", "files")


def _truthy(value) -> bool:
    """Slack booleans: JSON true, or "true"/"1" in a form (slack_sdk sends "1")."""
    return value is True or str(value).lower() in ("1", "true")


def _avatar(name: str) -> tuple[int, dict, str]:
    """A person's avatar as Slack's CDN would serve one: here a coloured disc with their initial."""
    initial = (name[3:4] or name[:1] or "?").upper()
    hue = sum(map(ord, name)) * 47 % 360
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 72 72"><circle cx="36" cy="36" r="36" '
           f'fill="hsl({hue},55%,45%)"/><text x="36" y="48" font-size="34" text-anchor="middle" fill="#fff" '
           f'font-family="sans-serif">{initial}</text></svg>')
    return 200, {"Content-Type": "image/svg+xml"}, svg


def _normalized(name: str) -> str:
    """Slack's ``*_normalized`` profile fields: the name without its accents (non-Latin scripts stay)."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def _name_error(name: str) -> str | None:
    """The error Slack answers for an invalid channel name, or None if the name is valid."""
    if not name:
        return "invalid_name_required"
    if len(name) > 80:
        return "invalid_name_maxlength"
    if not CHANNEL_NAME.fullmatch(name):
        return "invalid_name_specials"
    if not re.search(r"[a-z0-9]", name):
        return "invalid_name_punctuation"
    return None


@dataclass
class Call:
    """One Web API request as the fake saw it; times are time.monotonic() values."""

    method: str
    args: dict
    started: float
    finished: float
    status: int = 200
    error: str | None = None  # the Slack error code, or "http <status>" for a plain-body failure
    response: dict | None = None
    delivered: bool = True  # False when the client had hung up by the time the answer was ready

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def blocks(self) -> list | None:
        """`blocks` as a list, however slack_sdk encoded it."""
        return json_arg(self.args.get("blocks"))


@dataclass(frozen=True)
class _Failure:
    error: str | None
    status: int
    headers: dict
    when: Callable[[dict], bool] | None = None


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # benchmarks open many connections at once
    fake: FakeSlack

    def handle_error(self, request, client_address):
        """A client that went away mid-request (a killed bot) is routine here, not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self):
        self.server.fake._handle(self)

    do_GET = do_POST  # AsyncWebClient sends read methods (conversations.info, ...) as GET

    def log_message(self, format, *args):
        """Silence per-request logging; the fake records calls itself."""


class FakeSlack(Documents, OpenIdMixin):
    """A fake Slack workspace behind a local HTTP server; start() it, point WebClient at base_url."""

    def __init__(self, api_ref: ApiRef | None = None, *, scopes: Iterable[str] | None = None):
        """`scopes`: the bot token's scopes after every reset(); None grants them all."""
        self.ref = api_ref or load()
        self._lock = threading.RLock()
        # Wakes wait_for_request() and wait_for_call(); shares the lock, so no second lock to take.
        self._changed = threading.Condition(self._lock)
        self._generation = 0
        self._answering = threading.Event()  # cleared while ``holding_answers`` holds every call
        self._answering.set()
        self._initial_scopes = None if scopes is None else tuple(dict.fromkeys(scopes))
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server:
            raise RuntimeError("FakeSlack already started")
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="FakeSlack", daemon=True  # quick stop()
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    __enter__ = start

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if not self._server:
            raise RuntimeError("FakeSlack not started: call start() or use it as a context manager")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/"  # WebClient joins method names onto it, so the slash matters

    def response_url(self, tag: str = "x", message: tuple[str, str] | None = None) -> str:
        """A response URL; ``message`` (channel, ts) is the message whose button gave it: a post there with
        ``replace_original`` replaces that message, as Slack does."""
        if message is not None:
            with self._lock:
                self._response_messages[tag] = message
        return f"{self.url}/response/{tag}"

    def reset(self) -> None:
        """Back to a fresh workspace: no calls, violations, state, failures, latency or rate limits,
        and the scopes given to the constructor. A request still waiting out its latency is dropped
        (answered 503, not carried out), so it cannot land in the next test's workspace."""
        self._answering.set()
        with self._lock:
            self._generation += 1
            self.calls: list[Call] = []
            self.violations: list[str] = []
            self.latency = 0.0
            self._latencies: dict[str, float] = {}
            self._failures: dict[str, list[_Failure]] = {}
            self._lost: dict[str, list[Callable[[dict], bool] | None]] = {}
            self._responses: list[tuple[str, object, float]] = []  # tag, body, when it arrived (time.monotonic())
            self._response_messages: dict[str, tuple[str, str]] = {}  # response URL tag: (channel, ts) it came from
            self._channels: dict[str, dict] = {}
            self._ims: dict[str, dict] = {}  # by D id: id, user, created
            self._im_of: dict[str, str] = {}  # user id -> D id
            self._usergroups: dict[str, dict] = {}
            self._dnd: dict[str, float] = {}  # user id -> epoch second their snooze ends
            self._users: dict[str, dict] = {}
            self._messages: dict[str, list[dict]] = {}
            self._pins: dict[str, list[str]] = {}
            self._ephemerals: list[dict] = []
            self._views: list[dict] = []
            self._arrivals: list[list] = []  # [method, args, handed out by wait_for_request]
            self._scopes = self._initial_scopes
            self._app_scopes: tuple[str, ...] | None = None
            self._limiter: Limiter | None = None
            self._tier_refused: list[Call] = []
            self._seq = 0
            self._ts = 1_700_000_000_000_000  # microseconds; message ts strings grow from here
            self._reset_documents()
            self._reset_openid()
            self.add_user(BOT_USER, name=BOT_NAME, is_bot=True)

    # -- test set-up ------------------------------------------------------------------------

    def add_channel(self, name: str, *, is_private: bool = False, members=(BOT_USER,), creator: str = WORKSPACE_ADMIN,
                    created: int | None = None) -> str:
        """Pre-create a channel (the bot is a member unless `members` says otherwise; someone else
        created it, now, unless `creator` and `created` say otherwise); its id."""
        with self._lock:
            if _name_error(name) or self.channel_by_name(name):
                raise ValueError(f"invalid or taken channel name {name!r}")
            return self._create_channel(name, is_private, list(members), creator, created)

    def add_user(self, user_id: str, name: str | None = None, *, real_name: str | None = None,
                 display_name: str | None = None, tz: str | None = None, **fields) -> str:
        """Register a user for users.info, invites and DMs, shaped as Slack's reference shows one: `name`
        is the handle (and e-mail), `real_name` and `display_name` the profile's (both the handle unless
        given), `tz` an IANA zone (the reference's America/Los_Angeles unless given), an avatar in every
        size; `fields` override the user object (``deleted=True``: deactivated)."""
        name = name or user_id.lower()
        real_name = real_name or name
        user = self.ref.ok_example("users.info")["user"]
        user.update(id=user_id, team_id=TEAM_ID, name=name, real_name=real_name, is_admin=False, is_bot=False)
        if tz:
            user.update(tz=tz, tz_label=tz, tz_offset=0)
        avatar = f"{self.url if self._server else AVATARS}/avatars/{user_id.lower()}"  # served below once started
        user["profile"].update(
            real_name=real_name, real_name_normalized=_normalized(real_name), display_name=display_name or name,
            display_name_normalized=_normalized(display_name or name), email=f"{name}@example.com", team=TEAM_ID,
            image_original=f"{avatar}-original.svg",
            **{f"image_{size}": f"{avatar}-{size}.svg" for size in (24, 32, 48, 72, 192, 512)},
        )
        user.update(fields)
        with self._lock:
            self._users[user_id] = user
        return user_id

    def set_profile(self, user_id: str, **fields) -> None:
        """Change fields of a user's profile (display_name, email, …), as the person would in Slack."""
        with self._lock:
            self._users[user_id]["profile"].update(fields)

    def remove_user(self, user_id: str) -> None:
        """Slack no longer knows `user_id` (users.info answers ``user_not_found``)."""
        with self._lock:
            self._users.pop(user_id, None)

    def user_object(self, user_id: str) -> dict:
        """The user object users.info gives (and a ``user_change`` event carries)."""
        with self._lock:
            return copy.deepcopy(self._users[user_id])

    def add_message(self, channel: str, text: str, user: str, thread_ts: str | None = None,
                    metadata: dict | None = None, at: float | None = None) -> str:
        """A message someone posted in `channel` (a channel id, or a user's DM by user or D id; a
        reply if `thread_ts` is given), with `metadata` ({"event_type", "event_payload"}), at the
        epoch second `at` (else the fake's next ts); its ts."""
        with self._lock:
            if channel not in self._channels and channel not in self._ims and channel not in self._users:
                raise ValueError(f"no channel {channel!r}")
            msg = {"ts": self._next_ts() if at is None else f"{at:.6f}", "text": text, "blocks": None, "thread_ts": thread_ts,
                   "user": user, "update_count": 0, "metadata": copy.deepcopy(metadata)}
            self._messages.setdefault(self._conversation(channel), []).append(msg)
            return msg["ts"]

    def add_usergroup(self, usergroup_id: str, handle: str, users: Iterable[str] = (), name: str | None = None) -> str:
        """A user group (`@handle`) with `users` as members, for usergroups.list and usergroups.users.list."""
        with self._lock:
            if usergroup_id in self._usergroups:
                raise ValueError(f"user group {usergroup_id!r} exists")
            now = int(time.time())
            self._usergroups[usergroup_id] = {"id": usergroup_id, "handle": handle, "name": name or handle,
                                              "users": list(users), "created": now, "updated": now}
            return usergroup_id

    def set_usergroup_members(self, usergroup_id: str, users: Iterable[str]) -> None:
        with self._lock:
            if usergroup_id not in self._usergroups:
                raise ValueError(f"no user group {usergroup_id!r}")
            self._usergroups[usergroup_id].update(users=list(users), updated=int(time.time()))

    def set_dnd(self, user_id: str, until: float | None) -> None:
        """Snooze `user_id`'s notifications until the epoch second `until` (None: Do Not Disturb off)."""
        with self._lock:
            if until is None:
                self._dnd.pop(user_id, None)
            else:
                self._dnd[user_id] = until

    def dm_channel(self, user_id: str) -> str:
        """The D… id of the bot's direct-message conversation with `user_id`, opened if need be."""
        with self._lock:
            if user_id not in self._users:
                raise ValueError(f"no user {user_id!r}: add_user() first")
            return self._open_im(user_id)

    def grant(self, scopes: Iterable[str] | None, *, app_level: bool = False) -> None:
        """Set the bot token's scopes (the app-level token's with `app_level`); None grants all.
        A call needing a scope the token lacks is answered missing_scope, as Slack does; see scopes.py."""
        with self._lock:
            granted = None if scopes is None else tuple(dict.fromkeys(scopes))
            if app_level:
                self._app_scopes = granted
            else:
                self._scopes = granted

    def enforce_tiers(self, scale: float = 1.0, *, burst: int = 5, clock: Callable[[], float] | None = None) -> None:
        """Refuse calls beyond Slack's rate tiers with HTTP 429 ratelimited and Retry-After, until
        reset(); `scale` multiplies every rate (60 = a minute's calls per second), `burst` is how many
        chat.postMessage a channel takes at once, `clock` replaces time.monotonic. See ratelimits.py."""
        with self._lock:
            self._limiter = Limiter(scale, burst, clock)

    def fail(self, method: str, error: str | None = None, *, status: int = 200,
             headers: dict | None = None, times: int = 1, when: Callable[[dict], bool] | None = None) -> None:
        """Make the next `times` calls of `method` fail: {"ok": false, "error"} if `error` is
        given, else a plain-text body; queued failures are consumed in order. With `when`, only
        calls whose args satisfy it fail (a DM to one person, say); the others go through."""
        if not self.ref.has(method):
            raise ValueError(f"unknown Slack method {method!r}")
        if error is None and status == 200:
            raise ValueError("fail() needs an error code or a non-200 status")
        if error is not None and error not in self.ref.errors(method):
            raise ValueError(f"{method} does not document error {error!r}")
        with self._lock:
            self._failures.setdefault(method, []).extend([_Failure(error, status, dict(headers or {}), when)] * times)

    def lose_answers(self, method: str, times: int = 1, when: Callable[[dict], bool] | None = None) -> None:
        """Carry out the next `times` calls of `method` (matching `when`), then drop the connection
        without answering: what a client sees when Slack did the work and the answer was lost."""
        with self._lock:
            self._lost.setdefault(method, []).extend([when] * times)

    def _lose_answer(self, method: str, args: dict) -> bool:
        with self._lock:
            queue = self._lost.get(method) or []
            found = next((i for i, when in enumerate(queue) if when is None or when(args)), None)
            if found is None:
                return False
            del queue[found]
            return True

    @contextmanager
    def holding_answers(self) -> Iterator[None]:
        """Every Web API call waits, once it has arrived, until the block ends: what the bot does
        inside it, it does without any answer from Slack, however slow the machine."""
        self._answering.clear()
        try:
            yield
        finally:
            self._answering.set()

    def set_latency(self, method: str, seconds: float, when: Callable[[dict], bool] | None = None) -> None:
        """Delay every call of `method` by `seconds` (instead of `fake.latency`, which delays every
        other method). The delay runs after the request has arrived (see wait_for_request) and
        before it is carried out, outside the lock."""
        with self._lock:
            self._latencies[method] = (seconds, when)

    # -- accessors for tests (copies, safe to keep) ------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    @property
    def channels(self) -> dict[str, dict]:
        """By id: id, name, is_private, topic, members, created."""
        with self._lock:
            return copy.deepcopy(self._channels)

    def channel_by_name(self, name: str) -> dict | None:
        with self._lock:
            found = next((c for c in self._channels.values() if c["name"] == name), None)
            return copy.deepcopy(found)

    def messages(self, channel_id: str) -> list[dict]:
        """Messages of a channel, or of the bot's DM with a user (by user id or D… id), in posting
        order: ts, text, blocks (a list or None), thread_ts, user, update_count, metadata (a dict
        with event_type and event_payload, or None)."""
        with self._lock:
            return copy.deepcopy(self._messages.get(self._im_of.get(channel_id, channel_id), []))

    def pins(self, channel_id: str) -> list[str]:
        with self._lock:
            return list(self._pins.get(channel_id, []))

    @property
    def ephemerals(self) -> list[dict]:
        """chat.postEphemeral messages: channel, user, text, blocks, thread_ts, message_ts."""
        with self._lock:
            return copy.deepcopy(self._ephemerals)

    @property
    def views(self) -> list[dict]:
        """views.open/push/update calls in order: id, method, trigger_id, view (a dict)."""
        with self._lock:
            return copy.deepcopy(self._views)

    @property
    def responses(self) -> list:
        """JSON bodies posted to response URLs, in order."""
        with self._lock:
            return [body for _, body, _ in self._responses]

    def responses_for(self, tag: str) -> list:
        with self._lock:
            return [body for t, body, _ in self._responses if t == tag]

    def response_times(self, tag: str) -> list[float]:
        """When each answer at the response URL ``tag`` arrived: ``time.monotonic()``, which on Linux is one
        clock for every process, so it orders them with what another process did."""
        with self._lock:
            return [at for t, _, at in self._responses if t == tag]

    @property
    def usergroups(self) -> dict[str, dict]:
        """By id: id, handle, name, users, created, updated."""
        with self._lock:
            return copy.deepcopy(self._usergroups)

    def rate_limited_calls(self) -> list[Call]:
        """Calls refused for exceeding a rate tier (enforce_tiers), not those refused by fail()."""
        with self._lock:
            return list(self._tier_refused)

    def peak_rate(self, method: str, window: float = 60.0, channel: str | None = None) -> int:
        """The most calls of `method` (to `channel` only, if given) that arrived within any
        `window` seconds, refused ones included: what Slack would have counted against a tier."""
        with self._lock:
            times = sorted(c.started for c in self.calls
                           if c.method == method and (channel is None or c.args.get("channel") == channel))
        peak = first = 0
        for last, t in enumerate(times):
            while times[first] <= t - window:
                first += 1
            peak = max(peak, last - first + 1)
        return peak

    def wait_for_request(self, method: str, predicate: Callable[[dict], bool] | None = None,
                         timeout: float = 10.0) -> dict:
        """The arguments of a request of `method` (satisfying `predicate`, if given) that has arrived,
        waiting up to `timeout` seconds for one (TimeoutError). A request counts from the moment it
        arrives, before its latency and its answer, so a test can kill the bot while the call is on
        the wire. Each request is handed out once, oldest first, so successive waits see successive
        requests; requests that arrived before the last reset() are never seen."""

        def find():  # the arrival, not its args: wait_for() would take empty args ({}) for "not yet"
            for arrival in self._arrivals:
                if arrival[0] == method and not arrival[2] and (predicate is None or predicate(arrival[1])):
                    arrival[2] = True
                    return arrival
            return None

        with self._changed:
            if (arrival := self._changed.wait_for(find, timeout)) is None:
                raise TimeoutError(f"no {method} request arrived within {timeout} s")
            return copy.deepcopy(arrival[1])

    def wait_for_call(self, method: str, predicate: Callable[[Call], bool] | None = None,
                      timeout: float = 10.0) -> Call:
        """The first finished call of `method` (satisfying `predicate`, if given), waiting up to
        `timeout` seconds for it (TimeoutError): e.g. for a call whose client hung up to be done."""

        def find():
            return next((c for c in self.calls if c.method == method and (predicate is None or predicate(c))), None)

        with self._changed:
            if (call := self._changed.wait_for(find, timeout)) is None:
                raise TimeoutError(f"no {method} call finished within {timeout} s")
            return call

    # -- HTTP -------------------------------------------------------------------------------

    def _violate(self, message: str) -> None:
        with self._lock:
            self.violations.append(message)

    def _handle(self, req: _Handler) -> None:
        url = urlsplit(req.path)
        length = int(req.headers.get("Content-Length") or 0)
        body = req.rfile.read(length)
        if len(body) < length:  # the client died mid-request (a killed bot): Slack never sees half a request
            req.close_connection = True
            return
        call = None
        if url.path.startswith("/api/"):
            status, headers, payload, call = self._api(url.path[len("/api/"):], req.headers, url.query, body,
                                                       lambda: _hung_up(req.connection))
            if call and not call.delivered:  # no one left to answer
                req.close_connection = True
                return
            if call and self._lose_answer(method_of(url.path), call.args):  # done, but the answer never arrives
                with self._lock:
                    call.delivered = False
                req.close_connection = True
                return
        elif url.path == "/openid/connect/authorize":
            status, headers, payload = self._authorize(req.command, url.query, body)
        elif url.path.startswith("/response/") and req.command == "POST":
            status, headers, payload = self._response(url.path[len("/response/"):], body)
        elif url.path.startswith("/avatars/") and req.command == "GET":
            status, headers, payload = _avatar(url.path[len("/avatars/"):])
        elif url.path.startswith("/upload/") and req.command == "POST":
            status, headers, payload = self._receive_upload(url.path[len("/upload/"):], body)
        else:
            self._violate(f"{req.command} {req.path}: not a Slack endpoint")
            status, headers, payload = 404, {}, "not found"
        is_json = isinstance(payload, dict)
        data = (json.dumps(payload) if is_json else payload).encode()
        try:
            req.send_response(status)
            if "Content-Type" not in headers:
                req.send_header("Content-Type", f"{'application/json' if is_json else 'text/plain'}; charset=utf-8")
            req.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                req.send_header(name, value)
            req.end_headers()
            req.wfile.write(data)
        except OSError:  # the client hung up (a killed bot): the call was carried out all the same
            req.close_connection = True
            if call:
                with self._lock:
                    call.delivered = False

    def _api(self, method: str, headers, query: str, body: bytes, hung_up: Callable[[], bool] = lambda: False):
        """Record the request's arrival, wait out its latency, then answer it: (status, headers,
        body, call). The call is carried out even if the client has gone meanwhile (`hung_up()`,
        asked before the call is recorded, so a test that waited for the call sees `delivered`)."""
        started = time.monotonic()
        args, problems = _parse(headers.get("Content-Type"), query, body)
        args = self._openid_args(method, args, headers.get("Authorization"))
        with self._lock:
            generation = self._generation
            self._arrivals.append([method, args, False])
            self._changed.notify_all()
            delay, when = self._latencies.get(method, (self.latency, None))
            if when is not None and not when(args):
                delay = self.latency
        if delay:
            time.sleep(delay)  # outside the lock, so concurrent calls overlap
        self._answering.wait()
        if generation != self._generation:  # reset() while this waited: not this workspace's call
            return 503, {}, "the fake was reset while this call waited out its latency", None
        status, extra, payload = self._check(method, args, problems, headers.get("Authorization"))
        with self._lock:
            if generation != self._generation:
                return 503, {}, "the fake was reset while this call waited out its latency", None
            throttled = False
            if payload is None:
                status, extra, payload, throttled = self._answer(method, args)
            if isinstance(payload, dict):
                error = None if payload.get("ok") else payload.get("error")
            else:
                error = f"http {status}"
            call = Call(method, args, started, time.monotonic(), status, error,
                        payload if isinstance(payload, dict) else None, delivered=not hung_up())
            self.calls.append(call)
            if throttled:
                self._tier_refused.append(call)
            self._changed.notify_all()
        return status, extra, payload, call

    def _answer(self, method: str, args: dict):
        """Answer a well-formed call from the workspace's state, under the lock: (status, headers,
        body, whether a rate tier refused it). Injected failures come first, then rate tiers, then
        scopes, then the method's handler (or the reference's example answer)."""
        queue = self._failures.get(method) or []
        failure = next((f for f in queue if f.when is None or f.when(args)), None)
        if failure is not None:
            queue.remove(failure)
            if failure.error:
                return failure.status, failure.headers, {"ok": False, "error": failure.error}, False
            return failure.status, failure.headers, HTTPStatus(failure.status).phrase, False
        if self._limiter and (retry_after := self._limiter.check(method, self._rate_key(method, args))):
            return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}, True
        if (refusal := self._missing_scope(method, args)) is not None:
            return 200, {}, refusal, False
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        try:
            return 200, {}, handler(args) if handler else self._example(method), False
        except SlackError as e:
            return 200, {}, {"ok": False, "error": str(e)}, False
        except Exception as e:  # e.g. a list where Slack wants a comma-separated string
            return (*self._invalid(method, args, [f"the fake could not handle the call: {e!r}"]), False)

    def _check(self, method: str, args: dict, problems: list[str], authorization: str | None):
        """The answer to a call Slack would refuse before looking at the workspace (no token, unknown
        method, bad arguments), else (200, {}, None). Needs no workspace state, so runs outside the lock."""
        token = (authorization or "").removeprefix("Bearer ").strip() or args.get("token")
        if method == "openid.connect.token":  # the app's client id and secret authenticate it (OpenIdMixin)
            token = "xox-client" if args.get("client_id") else None
        if not token:
            return 200, {}, {"ok": False, "error": "not_authed"}
        # Socket Mode opens its connection with the app-level token; everything else takes a bot token.
        if not str(token).startswith("xapp-" if method == "apps.connections.open" else "xox"):
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        if not self.ref.has(method):
            self._violate(f"{method}: unknown method")
            return 200, {}, {"ok": False, "error": "unknown_method"}
        problems = problems + self.ref.problems(method, args) + [
            f"argument {name!r} is not valid JSON"
            for name in JSON_ARGS
            if isinstance(args.get(name), str) and not _is_json(args[name])
        ]
        if problems:
            return self._invalid(method, args, problems)
        return 200, {}, None

    def _rate_key(self, method: str, args: dict) -> str | None:
        """The conversation a chat.postMessage counts against, however it is named (#name, C…, U…, D…)."""
        if method != "chat.postMessage":
            return None
        ref = str(args.get("channel", ""))
        if ref in self._ims:
            return self._ims[ref]["user"]  # a DM counts as its user, opened yet or not
        found = self.channel_by_name(ref.removeprefix("#")) if ref not in self._channels else None
        return found["id"] if found else ref

    def _granted(self, scope: str) -> bool:
        return self._scopes is None or scope in self._scopes

    def _missing_scope(self, method: str, args: dict) -> dict | None:
        """Slack's missing_scope answer if the token lacks a scope `method` needs here, else None."""
        granted = self._app_scopes if method in scope_table.APP_LEVEL else self._scopes
        if granted is None:
            return None
        if method not in scope_table.SCOPES:
            self._violate(f"{method}: no scopes known for it with a restricted token: add it to scopes.py")
            return None
        for alternatives in self._needed_scopes(method, args):
            if alternatives and not set(alternatives) & set(granted):
                if "missing_scope" not in self.ref.spec(method).get("errors", {}):
                    self._violate(f"{method}: the token lacks {' or '.join(alternatives)}, but the reference "
                                  "documents no missing_scope for the method; answered as if granted")
                    return None
                return {"ok": False, "error": "missing_scope", "needed": ",".join(alternatives),
                        "provided": ",".join(granted)}
        return None

    def _needed_scopes(self, method: str, args: dict) -> list[tuple[str, ...]]:
        """The scope alternatives `method` needs for these arguments, one tuple per requirement:
        the Conversations API wants the scope of the kind of conversation at hand."""
        alternatives = scope_table.alternatives
        if method == "conversations.list":
            types = str(args.get("types") or "public_channel").split(",")
            return [alternatives(method, t.strip()) for t in types if t.strip() in scope_table.KIND_PREFIX]
        if method == "conversations.create":
            return [alternatives(method, "private_channel" if _truthy(args.get("is_private")) else "public_channel")]
        if method == "conversations.open" and args.get("users"):
            return [alternatives(method, "im" if len(str(args["users"]).split(",")) == 1 else "mpim")]
        return [alternatives(method, self._kind(str(args["channel"])) if args.get("channel") else None)]

    def _kind(self, ref: str) -> str | None:
        """The kind of conversation `ref` names (a KIND_PREFIX key), or None if it names none."""
        if ref in self._ims or ref in self._users:
            return "im"
        ch = self._channels.get(ref) or next((c for c in self._channels.values()
                                              if c["name"] == ref.removeprefix("#")), None)
        if ch is None:
            return None
        return "private_channel" if ch["is_private"] else "public_channel"

    def _example(self, method: str) -> dict:
        """The reference's successful example, as the last page: SDK paginators would loop
        forever on the example's next_cursor."""
        body = self.ref.ok_example(method)
        if isinstance(body.get("response_metadata"), dict) and "next_cursor" in body["response_metadata"]:
            body["response_metadata"]["next_cursor"] = ""
        return body

    def _invalid(self, method: str, args: dict, problems: list[str]):
        for problem in problems:
            self._violate(f"{method}({', '.join(sorted(args))}): {problem}")
        messages = [f"[ERROR] {p}" for p in problems]
        return 200, {}, {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": messages}}

    def _response(self, tag: str, body: bytes):
        """A response_url post: Slack takes a JSON message object there."""
        payload = json.loads(body) if _is_json(body) else None
        if not isinstance(payload, dict):
            self._violate(f"response_url {tag}: body is not a JSON object: {body[:200]!r}")
            return 400, {}, "invalid_payload"
        with self._lock:
            self._responses.append((tag, payload, time.monotonic()))
            source = self._response_messages.get(tag)
            if source is not None and payload.get("replace_original"):
                try:
                    msg = self._message(*source)
                except SlackError:
                    return 404, {}, "message_not_found"
                msg["text"], msg["blocks"] = payload.get("text", ""), payload.get("blocks")
                msg["update_count"] += 1
        return 200, {}, "ok"

    # -- workspace state (handlers run under the lock) --------------------------------------

    def _new_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._seq:08d}"

    def _next_ts(self) -> str:
        self._ts += 100
        return f"{self._ts // 1_000_000}.{self._ts % 1_000_000:06d}"

    def _create_channel(self, name: str, is_private: bool, members: list[str], creator: str = WORKSPACE_ADMIN,
                        created: int | None = None) -> str:
        cid = self._new_id("C")
        self._channels[cid] = {"id": cid, "name": name, "is_private": is_private, "topic": "",
                               "members": members, "created": int(time.time()) if created is None else created,
                               "creator": creator}
        return cid

    def _channel(self, channel_id: str) -> dict:
        if channel_id not in self._channels:
            raise SlackError("channel_not_found")
        return self._channels[channel_id]

    def _conversation(self, ref: str, by_name: bool = False) -> str:
        """The key messages are stored under: a channel id, or a D… id for a DM (a user id opens it)."""
        if ref in self._channels or ref in self._ims:
            return ref
        if ref in self._users:
            return self._open_im(ref)
        if by_name:
            name = ref.removeprefix("#")
            for ch in self._channels.values():
                if ch["name"] == name:
                    return ch["id"]
        raise SlackError("channel_not_found")

    def _open_im(self, user_id: str) -> str:
        """The D… id of the bot's DM with `user_id`, created on first use; the bot is in all its DMs."""
        if user_id not in self._im_of:
            im_id = self._new_id("D")
            self._ims[im_id] = {"id": im_id, "user": user_id, "created": int(time.time())}
            self._im_of[user_id] = im_id
        return self._im_of[user_id]

    def _im_obj(self, im: dict) -> dict:
        """A DM as Slack shows it, shaped like the reference's conversations.open example."""
        return {"id": im["id"], "created": im["created"], "is_im": True, "is_org_shared": False, "user": im["user"],
                "last_read": "0000000000.000000", "latest": None, "unread_count": 0, "unread_count_display": 0,
                "is_open": True, "priority": 0}

    def _message(self, conversation: str, ts: str) -> dict:
        for msg in self._messages.get(conversation, []):
            if msg["ts"] == ts:
                return msg
        raise SlackError("message_not_found")

    def _channel_obj(self, ch: dict) -> dict:
        """A channel as Slack shows it, shaped like the reference's conversations.create example."""
        obj = self.ref.ok_example("conversations.create")["channel"]
        obj.update(id=ch["id"], name=ch["name"], name_normalized=ch["name"], created=ch["created"],
                   creator=ch["creator"], is_private=ch["is_private"], is_member=BOT_USER in ch["members"],
                   num_members=len(ch["members"]),
                   topic={"value": ch["topic"], "creator": BOT_USER if ch["topic"] else "", "last_set": 0})
        return obj

    @staticmethod
    def _message_obj(msg: dict, with_metadata: bool = True) -> dict:
        """A message as Slack shows it; reads leave out its metadata unless asked (include_all_metadata)."""
        obj = {"type": "message", "user": msg["user"], "team": TEAM_ID, "text": msg["text"], "ts": msg["ts"]}
        if msg["user"] == BOT_USER:
            obj.update(bot_id=BOT_ID, app_id=APP_ID)
        if msg["blocks"] is not None:
            obj["blocks"] = msg["blocks"]
        if msg["thread_ts"]:
            obj["thread_ts"] = msg["thread_ts"]
        if msg.get("files"):
            obj["files"] = copy.deepcopy(msg["files"])
        if with_metadata and msg["metadata"]:
            obj["metadata"] = copy.deepcopy(msg["metadata"])
        return obj

    def _readable(self, channel_id: str, error: str) -> str:
        """A conversation the bot may read (any of its DMs); `error` is what Slack answers when the
        bot is not in the channel."""
        if channel_id in self._ims:
            return channel_id
        if BOT_USER not in self._channel(channel_id)["members"]:
            raise SlackError(error)
        return channel_id

    def _read(self, messages: list[dict], args: dict, default_limit: int) -> dict:
        """Slack's answer listing `messages` (in Slack's order) between `oldest` and `latest`, up to
        `limit`. Cursors are not modelled: a call passing one is a violation, not a silent first page."""
        if args.get("cursor"):
            raise NotImplementedError("cursor pagination")
        oldest, latest = _ts_arg(args, "oldest", "0"), _ts_arg(args, "latest", "9999999999")
        inclusive = _truthy(args.get("inclusive", False))
        found = [m for m in messages
                 if (oldest <= Decimal(m["ts"]) <= latest if inclusive else oldest < Decimal(m["ts"]) < latest)]
        limit = int(args.get("limit") or default_limit)
        with_metadata = _truthy(args.get("include_all_metadata", False))
        return {"ok": True, "messages": [self._message_obj(m, with_metadata) for m in found[:limit]],
                "has_more": len(found) > limit, "response_metadata": {"next_cursor": ""}}

    def _store_view(self, method: str, args: dict, view_id: str) -> dict:
        view = json_arg(args["view"])
        self._views.append({"id": view_id, "method": method, "trigger_id": args.get("trigger_id"), "view": view})
        shown = {"id": view_id, "team_id": TEAM_ID, "app_id": APP_ID, "bot_id": BOT_ID, "root_view_id": view_id,
                 "private_metadata": "", "callback_id": "", "external_id": "", "state": {"values": {}},
                 "hash": f"{time.time():.7f}", "clear_on_close": False, "notify_on_close": False, **view}
        return {"ok": True, "view": shown}

    # -- method handlers: _m_<method with dots as underscores>(args) -> response body -------

    def attach_socket_mode(self, socket_mode) -> None:
        """From now on ``apps.connections.open`` hands out this fake Socket Mode's WebSocket URL."""
        self.socket_mode = socket_mode

    def _m_apps_connections_open(self, args):
        socket_mode = getattr(self, "socket_mode", None)
        if socket_mode is None:
            return self._example("apps.connections.open")
        return {"ok": True, "url": socket_mode.url}

    def _m_auth_test(self, args):
        return {"ok": True, "url": WORKSPACE_URL, "team": TEAM, "user": BOT_NAME, "team_id": TEAM_ID,
                "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _m_users_info(self, args):
        if args["user"] not in self._users:
            raise SlackError("user_not_found")
        return {"ok": True, "user": copy.deepcopy(self._users[args["user"]])}

    def _m_users_lookupByEmail(self, args):
        """The user whose profile has this e-mail (Slack compares them ignoring case); users_not_found otherwise."""
        email = args["email"].strip().lower()
        for user in self._users.values():
            if user["profile"].get("email", "").lower() == email:
                return {"ok": True, "user": copy.deepcopy(user)}
        raise SlackError("users_not_found")

    def _m_users_list(self, args):
        """Every user (deleted ones too, as Slack lists them), by id, `limit` a page, with Slack's opaque
        cursors: the next page's cursor in response_metadata.next_cursor, "" on the last page."""
        users = [self._users[key] for key in sorted(self._users)]
        try:
            start = int(base64.b64decode(args["cursor"]).decode().removeprefix("user:")) if args.get("cursor") else 0
        except ValueError:
            raise SlackError("invalid_cursor") from None
        limit = int(args.get("limit") or 0) or len(users) or 1
        page = users[start:start + limit]
        following = start + limit
        cursor = base64.b64encode(f"user:{following}".encode()).decode() if following < len(users) else ""
        return {"ok": True, "members": copy.deepcopy(page), "cache_ts": int(time.time()),
                "response_metadata": {"next_cursor": cursor}}

    def _m_dnd_info(self, args):
        """A user's snooze as set_dnd() left it; no scheduled quiet hours (next_dnd_* lie outside now)."""
        user = args.get("user")
        if user not in self._users:
            raise SlackError("user_not_found")
        until = self._dnd.get(user)
        return {"ok": True, "dnd_enabled": False, "next_dnd_start_ts": 1, "next_dnd_end_ts": 1,
                "snooze_enabled": until is not None, **({"snooze_endtime": int(until),
                                                          "snooze_remaining": max(0, int(until - time.time()))}
                                                         if until is not None else {})}

    def _m_conversations_create(self, args):
        name = args["name"]
        error = _name_error(name) or ("name_taken" if self.channel_by_name(name) else None)
        if error:
            raise SlackError(error)
        cid = self._create_channel(name, _truthy(args.get("is_private")), [BOT_USER], creator=BOT_USER)
        return {"ok": True, "channel": self._channel_obj(self._channels[cid])}

    def _m_conversations_info(self, args):
        if args["channel"] in self._ims:
            return {"ok": True, "channel": self._im_obj(self._ims[args["channel"]])}
        return {"ok": True, "channel": self._channel_obj(self._channel(args["channel"]))}

    def _m_conversations_list(self, args):
        types = [t.strip() for t in str(args.get("types") or "public_channel").split(",")]
        channels = [self._channel_obj(ch) for ch in self._channels.values()
                    if ("private_channel" if ch["is_private"] else "public_channel") in types]
        if "im" in types:
            channels += [self._im_obj(im) for im in self._ims.values()]
        return {"ok": True, "channels": channels, "response_metadata": {"next_cursor": ""}}

    def _m_conversations_members(self, args):
        if args["channel"] in self._ims:
            members = [self._ims[args["channel"]]["user"], BOT_USER]
        else:
            members = self._channel(args["channel"])["members"]
        return {"ok": True, "members": list(members), "response_metadata": {"next_cursor": ""}}

    def _m_conversations_open(self, args):
        """A 1:1 DM, by `users` (one id) or by its D… `channel`; the same D… id every time for a user.
        Group DMs (several users) are not modelled."""
        if args.get("channel"):
            if args["channel"] not in self._ims:
                raise SlackError("channel_not_found")
            im, existed = self._ims[args["channel"]], True
        elif args.get("users"):
            users = [u.strip() for u in str(args["users"]).split(",") if u.strip()]
            if len(users) != 1:
                raise NotImplementedError("group DMs (conversations.open with several users)")
            if users[0] not in self._users:
                raise SlackError("user_not_found")
            existed = users[0] in self._im_of
            if not existed and _truthy(args.get("prevent_creation", False)):
                raise NotImplementedError("prevent_creation for a DM that does not exist yet")
            im = self._ims[self._open_im(users[0])]
        else:
            raise SlackError("users_list_not_supplied")
        shown = self._im_obj(im) if _truthy(args.get("return_im", False)) else {"id": im["id"]}
        return {"ok": True, **({"no_op": True, "already_open": True} if existed else {}), "channel": shown}

    def _m_conversations_setTopic(self, args):
        ch = self._channel(args["channel"])
        if len(args["topic"]) > 250:
            raise SlackError("too_long")
        ch["topic"] = args["topic"]
        return {"ok": True, "channel": self._channel_obj(ch)}

    def _m_conversations_invite(self, args):
        ch = self._channel(args["channel"])
        users = list(dict.fromkeys(u.strip() for u in args["users"].split(",") if u.strip()))
        if BOT_USER in users:
            raise SlackError("cant_invite_self")
        if any(u not in self._users for u in users):
            raise SlackError("user_not_found")
        new = [u for u in users if u not in ch["members"]]
        if not new:
            raise SlackError("already_in_channel")
        ch["members"] += new
        return {"ok": True, "channel": self._channel_obj(ch)}

    def _m_conversations_history(self, args):
        """Top-level messages (thread replies live in conversations.replies), newest first."""
        channel = self._readable(args["channel"], "not_in_channel")
        top = [m for m in self._messages.get(channel, []) if m["thread_ts"] in (None, m["ts"])]
        return self._read(sorted(top, key=lambda m: Decimal(m["ts"]), reverse=True), args, 100)

    def _m_conversations_replies(self, args):
        """The thread of `ts`, a parent or any of its replies, oldest first."""
        channel = self._readable(args["channel"], "channel_not_found")
        try:
            msg = self._message(channel, args["ts"])
        except SlackError:
            raise SlackError("thread_not_found") from None
        root = msg["thread_ts"] or msg["ts"]
        thread = [m for m in self._messages[channel] if root in (m["ts"], m["thread_ts"])]
        return self._read(sorted(thread, key=lambda m: Decimal(m["ts"])), args, 1000)

    def _m_chat_postMessage(self, args):
        """Posts to a channel (by id or #name) or to a user's DM (by user or D… id; the answer names
        the D… id, as Slack's does). The bot must be in the channel, or hold chat:write.public for a
        public one; a private channel it is not in does not exist for it."""
        conversation = self._conversation(args["channel"], by_name=True)
        ch = self._channels.get(conversation)
        if ch and BOT_USER not in ch["members"]:
            if ch["is_private"]:
                raise SlackError("channel_not_found")
            if not self._granted("chat:write.public"):
                raise SlackError("not_in_channel")
        metadata = _metadata(args)
        if metadata == {}:
            raise SlackError("invalid_metadata_schema")
        msg = {"ts": self._next_ts(), "text": args.get("text", args.get("markdown_text", "")),
               "blocks": json_arg(args.get("blocks")), "thread_ts": args.get("thread_ts"),
               "user": BOT_USER, "update_count": 0, "metadata": metadata}
        self._messages.setdefault(conversation, []).append(msg)
        return {"ok": True, "channel": conversation, "ts": msg["ts"], "message": self._message_obj(msg)}

    def _m_chat_update(self, args):
        """Without `metadata` the message keeps its metadata; an empty object removes it (Slack's rule)."""
        conversation = self._conversation(args["channel"])
        msg = self._message(conversation, args["ts"])
        metadata = _metadata(args)
        if "text" in args or "markdown_text" in args:
            msg["text"] = args.get("text", args.get("markdown_text"))
        if "blocks" in args:
            msg["blocks"] = json_arg(args["blocks"])
        if metadata is not None:
            msg["metadata"] = metadata or None
        msg["update_count"] += 1
        return {"ok": True, "channel": conversation, "ts": msg["ts"], "text": msg["text"],
                "message": self._message_obj(msg)}

    def _m_chat_postEphemeral(self, args):
        conversation = self._conversation(args["channel"], by_name=True)
        if args["user"] not in self._users:
            raise SlackError("user_not_in_channel")
        ts = self._next_ts()
        self._ephemerals.append({"channel": conversation, "user": args["user"], "text": args.get("text", ""),
                                 "blocks": json_arg(args.get("blocks")), "thread_ts": args.get("thread_ts"),
                                 "message_ts": ts})
        return {"ok": True, "message_ts": ts}

    def _m_chat_getPermalink(self, args):
        conversation = self._conversation(args["channel"])
        msg = self._message(conversation, args["message_ts"])
        link = f"{WORKSPACE_URL}archives/{conversation}/p{msg['ts'].replace('.', '')}"
        if msg["thread_ts"] not in (None, msg["ts"]):
            link += f"?thread_ts={msg['thread_ts']}&cid={conversation}"
        return {"ok": True, "channel": conversation, "permalink": link}

    def _m_pins_add(self, args):
        conversation = self._conversation(args["channel"])
        if not args.get("timestamp"):
            raise SlackError("no_item_specified")
        ts = self._message(conversation, args["timestamp"])["ts"]
        pins = self._pins.setdefault(conversation, [])
        if ts in pins:
            raise SlackError("already_pinned")
        pins.append(ts)
        return {"ok": True}

    def _m_usergroups_users_list(self, args):
        if args["usergroup"] not in self._usergroups:
            raise SlackError("no_such_subteam")
        return {"ok": True, "users": list(self._usergroups[args["usergroup"]]["users"])}

    def _m_usergroups_list(self, args):
        """Shaped like the reference's example; user_count (a string there) and users only when asked."""
        groups = []
        for g in self._usergroups.values():
            group = {"id": g["id"], "team_id": TEAM_ID, "is_usergroup": True, "name": g["name"], "description": "",
                     "handle": g["handle"], "is_external": False, "date_create": g["created"],
                     "date_update": g["updated"], "date_delete": 0, "auto_type": None, "created_by": BOT_USER,
                     "updated_by": BOT_USER, "deleted_by": None, "prefs": {"channels": [], "groups": []}}
            if _truthy(args.get("include_count", False)):
                group["user_count"] = str(len(g["users"]))
            if _truthy(args.get("include_users", False)):
                group["users"] = list(g["users"])
            groups.append(group)
        return {"ok": True, "usergroups": groups}

    def _m_views_open(self, args):
        return self._store_view("views.open", args, self._new_id("V"))

    def _m_views_push(self, args):
        return self._store_view("views.push", args, self._new_id("V"))

    def _m_views_update(self, args):
        view_id = args.get("view_id") or next(
            (v["id"] for v in reversed(self._views) if v["view"].get("external_id") == args["external_id"]), None)
        if not any(v["id"] == view_id for v in self._views):
            raise SlackError("not_found")
        return self._store_view("views.update", args, view_id)


def _parse(content_type: str | None, query: str, body: bytes) -> tuple[dict, list[str]]:
    """Arguments from the query string and a form or JSON body, plus problems with the body."""
    args: dict = dict(parse_qsl(query, keep_blank_values=True))
    if not body:
        return args, []
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif kind == "application/json":
        data = json.loads(body) if _is_json(body) else None
        if not isinstance(data, dict):
            return args, ["the JSON body is not an object"]
        args.update(data)
    else:
        return args, [f"unsupported Content-Type {content_type!r}"]
    return args, []


def method_of(path: str) -> str:
    return path[len("/api/"):]


def _hung_up(sock: socket.socket) -> bool:
    """Whether the client closed its end (end of stream, or reset), without reading or waiting."""
    try:
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:  # nothing to read: still there
        return False
    except OSError:
        return True


def _metadata(args: dict) -> dict | None:
    """The `metadata` argument as {"event_type", "event_payload"}, {} for an empty object, None if
    absent; Slack's invalid_metadata_format / invalid_metadata_schema when it is not one."""
    if args.get("metadata") in (None, ""):
        return None
    value = json_arg(args["metadata"])
    if not isinstance(value, dict):
        raise SlackError("invalid_metadata_format")
    if not value:
        return {}
    if "entities" in value:
        raise NotImplementedError("Work Object entity metadata")
    if not (isinstance(value.get("event_type"), str) and value["event_type"]
            and isinstance(value.get("event_payload"), dict)):
        raise SlackError("invalid_metadata_schema")
    return {"event_type": value["event_type"], "event_payload": copy.deepcopy(value["event_payload"])}


def _ts_arg(args: dict, name: str, default: str) -> Decimal:
    """A timestamp argument; Slack answers invalid_ts_<name> when it is not one."""
    try:
        return Decimal(str(args.get(name) or default))
    except InvalidOperation:
        raise SlackError(f"invalid_ts_{name}") from None


def _is_json(text: str | bytes) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
