"""Canvases and files for the fake Slack: channel canvases, standalone (tabbed) canvases and their
edits, and the external upload flow that slack_sdk's ``files_upload_v2`` drives.

Canvases (``conversations.canvases.create``, ``canvases.create``, ``canvases.edit``,
``canvases.delete``) hold their Markdown as sent; a channel has at most one channel canvas. Only the
whole-document operations of ``canvases.edit`` are modelled (``replace`` and ``insert_at_start``/
``insert_at_end`` without a section, ``rename``); an operation naming a section is a violation, not
a silent no-op. Markdown over 1 MiB (1,048,576 characters) is refused, as Slack documents.

An upload is three steps: ``files.getUploadURLExternal`` (filename and byte length) hands out a URL
on the fake itself, the client POSTs the bytes there, then ``files.completeUploadExternal`` shares
the file, with its ``initial_comment``, as a message in the channel. Completing a file never
uploaded is ``file_not_found``; bytes that do not match the announced length are a violation.

A workspace where canvases are unavailable is a test's ``fake.fail(...)`` with the documented error
(``team_tier_cannot_create_channel_canvases`` on a free workspace), repeated.
"""

from __future__ import annotations

import copy

from .wire import BOT_USER, SlackError, json_arg

CANVAS_LIMIT = 1_048_576
WHOLE_DOCUMENT = {"replace", "insert_at_start", "insert_at_end", "rename"}


def _markdown(content, error: str) -> str:
    """The Markdown of a ``document_content`` argument ({"type": "markdown", "markdown": ...})."""
    content = json_arg(content)
    if content in (None, ""):
        return ""
    if not isinstance(content, dict) or content.get("type") != "markdown" or not isinstance(content.get("markdown"), str):
        raise SlackError(error)
    if len(content["markdown"]) > CANVAS_LIMIT:
        raise SlackError(error)
    return content["markdown"]


class Documents:
    """Mixed into FakeSlack: its canvas and file state, the accessors tests read, the method handlers."""

    def _reset_documents(self) -> None:
        self._canvases: dict[str, dict] = {}
        self._channel_canvases: dict[str, str] = {}  # channel id -> its channel canvas
        self._uploads: dict[str, dict] = {}  # file id -> filename, length, content (bytes once POSTed)
        self._files: list[dict] = []

    # -- accessors for tests -------------------------------------------------------------------

    @property
    def canvases(self) -> dict[str, dict]:
        """By id: id, title, markdown, channel_id (the channel it is tabbed in), channel_canvas, edits."""
        with self._lock:
            return copy.deepcopy(self._canvases)

    def channel_canvas(self, channel_id: str) -> dict | None:
        """The channel canvas of ``channel_id``, or None."""
        with self._lock:
            found = self._channel_canvases.get(channel_id)
            return copy.deepcopy(self._canvases[found]) if found else None

    @property
    def files(self) -> list[dict]:
        """Files shared with files.completeUploadExternal, in order: id, filename, title, content (text),
        data (the bytes, for images), channel_id, initial_comment, ts (of the message that shares it, if
        shared in a channel)."""
        with self._lock:
            return copy.deepcopy(self._files)

    # -- the upload URL --------------------------------------------------------------------------

    def upload_url(self, file_id: str) -> str:
        return f"{self.url}/upload/{file_id}"

    def _receive_upload(self, file_id: str, body: bytes) -> tuple[int, dict, str]:
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                self._violate(f"POST /upload/{file_id}: no files.getUploadURLExternal handed out this URL")
                return 404, {}, "not found"
            if len(body) != upload["length"]:
                self._violate(f"POST /upload/{file_id}: {len(body)} bytes, but files.getUploadURLExternal "
                              f"announced {upload['length']}")
            upload["content"] = body
        return 200, {}, f"OK - {len(body)}"

    # -- method handlers -------------------------------------------------------------------------

    def _new_canvas(self, args: dict, error: str, channel_id: str | None, channel_canvas: bool) -> dict:
        canvas = {"id": self._new_id("F"), "title": args.get("title") or "Untitled",
                  "markdown": _markdown(args.get("document_content"), error),
                  "channel_id": channel_id, "channel_canvas": channel_canvas, "edits": 0}
        self._canvases[canvas["id"]] = canvas
        return {"ok": True, "canvas_id": canvas["id"]}

    def _member_channel(self, channel_id: str) -> str:
        """A channel the bot is in: canvases tabbed in a channel need one (no_permission otherwise)."""
        channel = self._channels.get(channel_id)
        if channel is None or BOT_USER not in channel["members"]:
            raise SlackError("no_permission")
        return channel_id

    def _m_conversations_canvases_create(self, args):
        channel = self._member_channel(args["channel_id"])
        if channel in self._channel_canvases:
            raise SlackError("channel_canvas_already_exists")
        answer = self._new_canvas(args, "channel_canvas_creation_failed", channel, channel_canvas=True)
        self._channel_canvases[channel] = answer["canvas_id"]
        return answer

    def _m_canvases_create(self, args):
        channel = self._member_channel(args["channel_id"]) if args.get("channel_id") else None
        return self._new_canvas(args, "canvas_creation_failed", channel, channel_canvas=False)

    def _m_canvases_edit(self, args):
        canvas = self._canvases.get(args["canvas_id"])
        if canvas is None:
            raise SlackError("canvas_not_found")
        changes = json_arg(args["changes"])
        if not isinstance(changes, list) or not changes or not all(isinstance(c, dict) for c in changes):
            raise SlackError("canvas_editing_failed")
        markdown, title = canvas["markdown"], canvas["title"]
        for change in changes:
            operation = change.get("operation")
            if operation not in WHOLE_DOCUMENT or change.get("section_id"):
                raise NotImplementedError(f"canvases.edit operation {operation!r} on a section")
            if operation == "rename":
                title = _markdown(change.get("title_content"), "canvas_editing_failed")
                continue
            content = _markdown(change.get("document_content"), "canvas_editing_failed")
            markdown = {"replace": content, "insert_at_start": content + markdown,
                        "insert_at_end": markdown + content}[operation]
        if len(markdown) > CANVAS_LIMIT:
            raise SlackError("canvas_too_large")
        canvas.update(markdown=markdown, title=title, edits=canvas["edits"] + 1)
        return {"ok": True}

    def _m_canvases_delete(self, args):
        canvas = self._canvases.pop(args["canvas_id"], None)
        if canvas is None:
            raise SlackError("canvas_not_found")
        if canvas["channel_canvas"]:
            del self._channel_canvases[canvas["channel_id"]]
        return {"ok": True}

    def _m_files_getUploadURLExternal(self, args):
        length = int(args["length"])
        if length <= 0:
            raise SlackError("missing_argument")
        file_id = self._new_id("F")
        self._uploads[file_id] = {"filename": args["filename"], "length": length, "content": None}
        return {"ok": True, "upload_url": self.upload_url(file_id), "file_id": file_id}

    def _m_files_completeUploadExternal(self, args):
        files = json_arg(args["files"])
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments")
        uploads = []
        for entry in files:
            upload = self._uploads.get(entry.get("id"))
            if upload is None or upload["content"] is None:
                raise SlackError("file_not_found")
            uploads.append((entry, upload))
        channel = args.get("channel_id")
        if channel:
            if channel not in self._channels:
                raise SlackError("channel_not_found")
            if BOT_USER not in self._channels[channel]["members"]:
                raise SlackError("not_in_channel")
        shared = []
        for entry, upload in uploads:
            shared.append({"id": entry["id"], "filename": upload["filename"], "title": entry.get("title") or upload["filename"],
                           "content": upload["content"].decode("utf-8", errors="replace"), "data": upload["content"],
                           "channel_id": channel,
                           "initial_comment": args.get("initial_comment"), "ts": None})
            del self._uploads[entry["id"]]
        if channel:
            ts = self._next_ts()
            self._messages.setdefault(channel, []).append({
                "ts": ts, "text": args.get("initial_comment") or "", "blocks": None, "thread_ts": args.get("thread_ts"),
                "user": BOT_USER, "update_count": 0, "metadata": None,
                "files": [{"id": f["id"], "name": f["filename"], "title": f["title"]} for f in shared]})
            for file in shared:
                file["ts"] = ts
        self._files += shared
        return {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in shared]}
