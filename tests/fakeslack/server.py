"""A strict, stateful fake of the Slack Web API, served over real HTTP for the bot's tests.

The bot reaches it through an unpatched `slack_sdk.WebClient(base_url=fake.base_url)`, so the
SDK's encoding, retries and error handling run for real. Every call is checked against the Slack
API reference (see apiref.py); a call Slack would refuse is appended to `fake.violations`, which
test fixtures assert to be empty at teardown.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .apiref import ApiRef, load

BOT_USER, BOT_NAME, BOT_ID, APP_ID = "UBOT", "incident-bot", "BBOT", "AFAKEAPP"
TEAM_ID, TEAM, WORKSPACE_URL = "T0001", "Fake Workspace", "https://fake.slack.com/"
CHANNEL_NAME = re.compile(r"[a-z0-9_-]+")
# Arguments Slack expects as JSON; in a form body they must be a JSON string.
JSON_ARGS = ("blocks", "attachments", "view", "metadata")


def json_arg(value):
    """A JSON-typed argument as data, whether it came in a JSON body or as a string in a form."""
    return json.loads(value) if isinstance(value, str) else value


def _truthy(value) -> bool:
    """Slack booleans: JSON true, or "true"/"1" in a form (slack_sdk sends "1")."""
    return value is True or str(value).lower() in ("1", "true")


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

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def blocks(self) -> list | None:
        """`blocks` as a list, however slack_sdk encoded it."""
        return json_arg(self.args.get("blocks"))


class SlackError(Exception):
    """Raised by a method handler to answer {"ok": false, "error": <code>}."""


@dataclass(frozen=True)
class _Failure:
    error: str | None
    status: int
    headers: dict


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # benchmarks open many connections at once
    fake: FakeSlack


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self):
        self.server.fake._handle(self)

    do_GET = do_POST  # AsyncWebClient sends read methods (conversations.info, ...) as GET

    def log_message(self, format, *args):
        """Silence per-request logging; the fake records calls itself."""


class FakeSlack:
    """A fake Slack workspace behind a local HTTP server; start() it, point WebClient at base_url."""

    def __init__(self, api_ref: ApiRef | None = None):
        self.ref = api_ref or load()
        self._lock = threading.RLock()
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

    def response_url(self, tag: str = "x") -> str:
        return f"{self.url}/response/{tag}"

    def reset(self) -> None:
        """Back to a fresh workspace: no calls, violations, state, failures or latency."""
        with self._lock:
            self.calls: list[Call] = []
            self.violations: list[str] = []
            self.latency = 0.0
            self._latencies: dict[str, float] = {}
            self._failures: dict[str, list[_Failure]] = {}
            self._responses: list[tuple[str, object]] = []
            self._channels: dict[str, dict] = {}
            self._users: dict[str, dict] = {}
            self._messages: dict[str, list[dict]] = {}
            self._pins: dict[str, list[str]] = {}
            self._ephemerals: list[dict] = []
            self._views: list[dict] = []
            self._seq = 0
            self._ts = 1_700_000_000_000_000  # microseconds; message ts strings grow from here
            self.add_user(BOT_USER, name=BOT_NAME, is_bot=True)

    # -- test set-up ------------------------------------------------------------------------

    def add_channel(self, name: str, *, is_private: bool = False, members=(BOT_USER,)) -> str:
        """Pre-create a channel (the bot is a member unless `members` says otherwise); its id."""
        with self._lock:
            if _name_error(name) or self.channel_by_name(name):
                raise ValueError(f"invalid or taken channel name {name!r}")
            return self._create_channel(name, is_private, list(members))

    def add_user(self, user_id: str, name: str | None = None, **fields) -> str:
        """Register a user for users.info, invites and DMs; `fields` override the user object."""
        name = name or user_id.lower()
        user = self.ref.ok_example("users.info")["user"]
        user.update(id=user_id, team_id=TEAM_ID, name=name, real_name=name, is_admin=False, is_bot=False)
        user["profile"].update(
            real_name=name, real_name_normalized=name, display_name=name,
            display_name_normalized=name, email=f"{name}@example.com", team=TEAM_ID,
        )
        user.update(fields)
        with self._lock:
            self._users[user_id] = user
        return user_id

    def add_message(self, channel: str, text: str, user: str, thread_ts: str | None = None) -> str:
        """A message someone posted in `channel` (a reply if `thread_ts` is given); its ts."""
        with self._lock:
            if channel not in self._channels:
                raise ValueError(f"no channel {channel!r}")
            msg = {"ts": self._next_ts(), "text": text, "blocks": None, "thread_ts": thread_ts,
                   "user": user, "update_count": 0}
            self._messages.setdefault(channel, []).append(msg)
            return msg["ts"]

    def fail(self, method: str, error: str | None = None, *, status: int = 200,
             headers: dict | None = None, times: int = 1) -> None:
        """Make the next `times` calls of `method` fail: {"ok": false, "error"} if `error` is
        given, else a plain-text body; queued failures are consumed in order."""
        if not self.ref.has(method):
            raise ValueError(f"unknown Slack method {method!r}")
        if error is None and status == 200:
            raise ValueError("fail() needs an error code or a non-200 status")
        if error is not None and error not in self.ref.errors(method):
            raise ValueError(f"{method} does not document error {error!r}")
        with self._lock:
            self._failures.setdefault(method, []).extend([_Failure(error, status, dict(headers or {}))] * times)

    def set_latency(self, method: str, seconds: float) -> None:
        """Delay every call of `method` by `seconds` (instead of `fake.latency`)."""
        with self._lock:
            self._latencies[method] = seconds

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
        """Messages of a channel (or of a DM, by user id) in posting order: ts, text, blocks
        (a list or None), thread_ts, user, update_count."""
        with self._lock:
            return copy.deepcopy(self._messages.get(channel_id, []))

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
            return [body for _, body in self._responses]

    def responses_for(self, tag: str) -> list:
        with self._lock:
            return [body for t, body in self._responses if t == tag]

    # -- HTTP -------------------------------------------------------------------------------

    def _violate(self, message: str) -> None:
        with self._lock:
            self.violations.append(message)

    def _handle(self, req: _Handler) -> None:
        url = urlsplit(req.path)
        body = req.rfile.read(int(req.headers.get("Content-Length") or 0))
        if url.path.startswith("/api/"):
            status, headers, payload = self._api(url.path[len("/api/"):], req.headers, url.query, body)
        elif url.path.startswith("/response/") and req.command == "POST":
            status, headers, payload = self._response(url.path[len("/response/"):], body)
        else:
            self._violate(f"{req.command} {req.path}: not a Slack endpoint")
            status, headers, payload = 404, {}, "not found"
        is_json = isinstance(payload, dict)
        data = (json.dumps(payload) if is_json else payload).encode()
        req.send_response(status)
        req.send_header("Content-Type", f"{'application/json' if is_json else 'text/plain'}; charset=utf-8")
        req.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            req.send_header(name, value)
        req.end_headers()
        req.wfile.write(data)

    def _api(self, method: str, headers, query: str, body: bytes):
        started = time.monotonic()
        with self._lock:
            delay = self._latencies.get(method, self.latency)
        if delay:
            time.sleep(delay)  # outside the lock, so concurrent calls overlap
        args, problems = _parse(headers.get("Content-Type"), query, body)
        status, extra, payload = self._answer(method, args, problems, headers.get("Authorization"))
        if isinstance(payload, dict):
            error = None if payload.get("ok") else payload.get("error")
        else:
            error = f"http {status}"
        call = Call(method, args, started, time.monotonic(), status, error,
                    payload if isinstance(payload, dict) else None)
        with self._lock:
            self.calls.append(call)
        return status, extra, payload

    def _answer(self, method: str, args: dict, problems: list[str], authorization: str | None):
        """Check the call like Slack would, then answer it: (status, headers, body)."""
        token = (authorization or "").removeprefix("Bearer ").strip() or args.get("token")
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
        with self._lock:
            queue = self._failures.get(method)
            if queue:
                failure = queue.pop(0)
                if failure.error:
                    return failure.status, failure.headers, {"ok": False, "error": failure.error}
                return failure.status, failure.headers, HTTPStatus(failure.status).phrase
            handler = getattr(self, "_m_" + method.replace(".", "_"), None)
            try:
                return 200, {}, handler(args) if handler else self._example(method)
            except SlackError as e:
                return 200, {}, {"ok": False, "error": str(e)}
            except Exception as e:  # e.g. a list where Slack wants a comma-separated string
                return self._invalid(method, args, [f"the fake could not handle the call: {e!r}"])

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
            self._responses.append((tag, payload))
        return 200, {}, "ok"

    # -- workspace state (handlers run under the lock) --------------------------------------

    def _new_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._seq:08d}"

    def _next_ts(self) -> str:
        self._ts += 100
        return f"{self._ts // 1_000_000}.{self._ts % 1_000_000:06d}"

    def _create_channel(self, name: str, is_private: bool, members: list[str]) -> str:
        cid = self._new_id("C")
        self._channels[cid] = {"id": cid, "name": name, "is_private": is_private, "topic": "",
                               "members": members, "created": int(time.time())}
        return cid

    def _channel(self, channel_id: str) -> dict:
        if channel_id not in self._channels:
            raise SlackError("channel_not_found")
        return self._channels[channel_id]

    def _conversation(self, ref: str, by_name: bool = False) -> str:
        """The key messages are stored under: a channel id, or a user id for a DM."""
        if ref in self._channels or ref in self._users:
            return ref
        if by_name:
            name = ref.removeprefix("#")
            for ch in self._channels.values():
                if ch["name"] == name:
                    return ch["id"]
        raise SlackError("channel_not_found")

    def _message(self, conversation: str, ts: str) -> dict:
        for msg in self._messages.get(conversation, []):
            if msg["ts"] == ts:
                return msg
        raise SlackError("message_not_found")

    def _channel_obj(self, ch: dict) -> dict:
        """A channel as Slack shows it, shaped like the reference's conversations.create example."""
        obj = self.ref.ok_example("conversations.create")["channel"]
        obj.update(id=ch["id"], name=ch["name"], name_normalized=ch["name"], created=ch["created"],
                   creator=BOT_USER, is_private=ch["is_private"], is_member=BOT_USER in ch["members"],
                   num_members=len(ch["members"]),
                   topic={"value": ch["topic"], "creator": BOT_USER if ch["topic"] else "", "last_set": 0})
        return obj

    @staticmethod
    def _message_obj(msg: dict) -> dict:
        obj = {"type": "message", "user": msg["user"], "team": TEAM_ID, "text": msg["text"], "ts": msg["ts"]}
        if msg["user"] == BOT_USER:
            obj.update(bot_id=BOT_ID, app_id=APP_ID)
        if msg["blocks"] is not None:
            obj["blocks"] = msg["blocks"]
        if msg["thread_ts"]:
            obj["thread_ts"] = msg["thread_ts"]
        return obj

    def _readable(self, channel_id: str, error: str) -> str:
        """A channel the bot may read; `error` is what Slack answers when the bot is not in it."""
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
        return {"ok": True, "messages": [self._message_obj(m) for m in found[:limit]], "has_more": len(found) > limit,
                "response_metadata": {"next_cursor": ""}}

    def _store_view(self, method: str, args: dict, view_id: str) -> dict:
        view = json_arg(args["view"])
        self._views.append({"id": view_id, "method": method, "trigger_id": args.get("trigger_id"), "view": view})
        shown = {"id": view_id, "team_id": TEAM_ID, "app_id": APP_ID, "bot_id": BOT_ID, "root_view_id": view_id,
                 "private_metadata": "", "callback_id": "", "external_id": "", "state": {"values": {}},
                 "hash": f"{time.time():.7f}", "clear_on_close": False, "notify_on_close": False, **view}
        return {"ok": True, "view": shown}

    # -- method handlers: _m_<method with dots as underscores>(args) -> response body -------

    def _m_auth_test(self, args):
        return {"ok": True, "url": WORKSPACE_URL, "team": TEAM, "user": BOT_NAME, "team_id": TEAM_ID,
                "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _m_users_info(self, args):
        if args["user"] not in self._users:
            raise SlackError("user_not_found")
        return {"ok": True, "user": copy.deepcopy(self._users[args["user"]])}

    def _m_conversations_create(self, args):
        name = args["name"]
        error = _name_error(name) or ("name_taken" if self.channel_by_name(name) else None)
        if error:
            raise SlackError(error)
        cid = self._create_channel(name, _truthy(args.get("is_private")), [BOT_USER])
        return {"ok": True, "channel": self._channel_obj(self._channels[cid])}

    def _m_conversations_info(self, args):
        return {"ok": True, "channel": self._channel_obj(self._channel(args["channel"]))}

    def _m_conversations_list(self, args):
        types = str(args.get("types") or "public_channel").split(",")
        channels = [self._channel_obj(ch) for ch in self._channels.values()
                    if ("private_channel" if ch["is_private"] else "public_channel") in types]
        return {"ok": True, "channels": channels, "response_metadata": {"next_cursor": ""}}

    def _m_conversations_members(self, args):
        members = self._channel(args["channel"])["members"]
        return {"ok": True, "members": list(members), "response_metadata": {"next_cursor": ""}}

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
        conversation = self._conversation(args["channel"], by_name=True)
        msg = {"ts": self._next_ts(), "text": args.get("text", args.get("markdown_text", "")),
               "blocks": json_arg(args.get("blocks")), "thread_ts": args.get("thread_ts"),
               "user": BOT_USER, "update_count": 0}
        self._messages.setdefault(conversation, []).append(msg)
        return {"ok": True, "channel": conversation, "ts": msg["ts"], "message": self._message_obj(msg)}

    def _m_chat_update(self, args):
        conversation = self._conversation(args["channel"])
        msg = self._message(conversation, args["ts"])
        if "text" in args or "markdown_text" in args:
            msg["text"] = args.get("text", args.get("markdown_text"))
        if "blocks" in args:
            msg["blocks"] = json_arg(args["blocks"])
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
