"""A real SMTP server (aiosmtpd) on a free port, keeping every message it accepted."""

from __future__ import annotations

import socket
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class _Keep:
    def __init__(self, box: list[EmailMessage], arrivals: list[float]) -> None:
        self.box = box
        self.arrivals = arrivals

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.arrivals.append(time.time())
        self.box.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class FakeSmtp:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrivals: list[float] = []  # time.time() of each message's arrival
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(_Keep(self.messages, self.arrivals), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?from=pages@example.com"

    def __enter__(self) -> FakeSmtp:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
