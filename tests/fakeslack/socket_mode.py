"""A fake of Slack's Socket Mode: the WebSocket a bot opens with the URL ``apps.connections.open`` gives.

Slack says ``hello`` when a connection opens, then sends envelopes (a slash command, an action, an
event) and waits for the bot to answer each with ``{"envelope_id": ..., "payload": ...}`` (the ack).
Tests hand it an envelope and wait for the ack the bot sends back, over a real WebSocket
(the `websockets` library, in a thread with an event loop of its own).
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid

from websockets.asyncio.server import ServerConnection, serve


class FakeSocketMode:
    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="FakeSocketMode", daemon=True)
        self._changed = threading.Condition()
        self._connections: list[ServerConnection] = []
        self._acks: dict[str, dict] = {}
        self._server = None
        self.url = ""

    def start(self) -> FakeSocketMode:
        self._thread.start()
        async def listen():
            return await serve(self._serve, "127.0.0.1", 0)

        self._server = asyncio.run_coroutine_threadsafe(listen(), self._loop).result(10)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/link/?ticket=fake&app_id=AFAKEAPP"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            asyncio.run_coroutine_threadsafe(self._server.wait_closed(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def reset(self) -> None:
        with self._changed:
            self._acks.clear()

    async def _serve(self, connection: ServerConnection) -> None:
        with self._changed:
            self._connections.append(connection)
            self._changed.notify_all()
        await connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                          "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                                          "connection_info": {"app_id": "AFAKEAPP"}}))
        try:
            async for message in connection:
                answer = json.loads(message)
                with self._changed:
                    if "envelope_id" in answer:
                        self._acks[answer["envelope_id"]] = answer
                    self._changed.notify_all()
        finally:
            with self._changed:
                self._connections.remove(connection)

    def wait_for_connection(self, timeout: float = 20) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self._connections, timeout):
                raise TimeoutError(f"no bot connected within {timeout} s")

    def send(self, kind: str, payload: dict, timeout: float = 20) -> dict:
        """Send an envelope of ``kind`` (``slash_commands``, ``interactive``, ``events_api``) to the bot
        and wait for its ack; the ack's payload (what a slash command answers ephemerally)."""
        envelope_id = uuid.uuid4().hex
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload, "accepts_response_payload": True}
        with self._changed:
            connection = self._connections[-1]
        asyncio.run_coroutine_threadsafe(connection.send(json.dumps(envelope)), self._loop).result(timeout)
        with self._changed:
            if not self._changed.wait_for(lambda: envelope_id in self._acks, timeout):
                raise TimeoutError(f"the bot did not ack envelope {envelope_id} within {timeout} s")
            return self._acks[envelope_id].get("payload") or {}
