"""The bot as production runs it, in processes of its own (``python -m bot web|worker``, or with a shorter
lease ``tests.short_lease``), for tests that kill one with SIGKILL and watch another take over."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from slack_sdk.signature import SignatureVerifier

from bot.jobs.leases import LEASE
from tests.db import ROOT
from tests.driver import SIGNING_SECRET, TEAM, http


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], seconds: float = 30, what: str = "the condition") -> object:
    """Poll ``condition`` until it is truthy (its value is returned) or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        time.sleep(0.05)
    return value


def serving(process: subprocess.Popen, url: str) -> bool:
    assert process.poll() is None, "the web process died"
    try:
        return http("GET", f"{url}/healthz", timeout=1).status == 200
    except OSError:
        return False


class BotProcesses:
    """Starts ``python -m bot web`` and ``python -m bot worker`` against one database and one fake Slack."""

    def __init__(self, database_url: str, fake, tmp_path, config: dict | None = None, lease: float | None = None,
                 stale: float | None = None, **env: str) -> None:
        self.lease = lease  # seconds; None: the production lease (tests of the takeover promise use it)
        self.stale = stale  # seconds without a worker's tick before /healthz fails; None: production's
        config_file = tmp_path / "incidents.yaml"
        config_file.write_text(yaml.safe_dump(config or {}))
        self.env = {**os.environ, "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-test",
                    "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.base_url,
                    "INCIDENT_CONFIG": str(config_file), "SLACK_APP_TOKEN": "", **env}
        self.started: list[subprocess.Popen] = []
        self.logs = tmp_path
        self.log_files: dict[int, Path] = {}

    def web(self, **env: str) -> tuple[subprocess.Popen, str]:
        """A ``web`` process serving on a free port; returns once ``/healthz`` answers."""
        [web] = self.webs(1, **env)
        return web

    def webs(self, count: int, **env: str) -> list[tuple[subprocess.Popen, str]]:
        """``count`` web processes started side by side (their imports overlap); returns once all serve."""
        started = []
        for _ in range(count):
            port = free_port()
            started.append((self._start("web", PORT=str(port), **env), f"http://127.0.0.1:{port}"))
        for process, url in started:
            wait_for(lambda process=process, url=url: serving(process, url), 60, "the web process to serve")
        return started

    def process_of(self, owner: str) -> subprocess.Popen:
        """The process behind a claim's owner (``host:pid:nonce``, ``bot.jobs.leases.process_owner``)."""
        pid = int(owner.split(":")[1])
        [process] = [p for p in self.started if p.pid == pid]
        return process

    def worker(self, **env: str) -> subprocess.Popen:
        return self._start("worker", **env)

    def _start(self, command: str, **env: str) -> subprocess.Popen:
        path = self.logs / f"{command}-{len(self.started) + 1}.log"  # read them when a test fails
        log = path.open("w")
        argv = ["bot", command]
        if self.lease is not None or self.stale is not None:
            argv = ["tests.short_lease", command, str(self.lease or LEASE.total_seconds())]
            argv += [] if self.stale is None else [str(self.stale)]
        process = subprocess.Popen([sys.executable, "-m", *argv], cwd=ROOT, env={**self.env, **env},
                                   stdout=log, stderr=subprocess.STDOUT)
        self.started.append(process)
        self.log_files[process.pid] = path
        return process

    def wait_for_log(self, process: subprocess.Popen, text: str, seconds: float = 20) -> None:
        """Until ``process`` has logged a line containing ``text`` (how a test knows it is ready)."""
        wait_for(lambda: text in self.log_files[process.pid].read_text(), seconds, f"{text!r} in the log")

    @staticmethod
    def kill(process: subprocess.Popen) -> float:
        """SIGKILL: no shutdown, no cleanup, leases left held. The moment it died (time.monotonic())."""
        process.send_signal(signal.SIGKILL)
        process.wait()
        return time.monotonic()

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()


@contextmanager
def bot_processes(database_url: str, fake, tmp_path, config: dict | None = None, lease: float | None = None,
                  stale: float | None = None, **env: str) -> Iterator[BotProcesses]:
    processes = BotProcesses(database_url, fake, tmp_path, config, lease, stale, **env)
    try:
        yield processes
    finally:
        processes.stop_all()


_TRIGGERS = itertools.count(1)


def signed_command(url: str, fake, text: str = "declare sev1 Checkout is down") -> dict:
    """``/incident <text>`` as Slack sends it to a bot process at ``url``; the ack's body."""
    form = {"token": "legacy", "team_id": TEAM, "channel_id": "CGENERAL", "user_id": "U01ALICE", "user_name": "alice",
            "command": "/incident", "text": text, "response_url": fake.response_url("crash"),
            "trigger_id": f"t.{next(_TRIGGERS)}",  # unique per command, as Slack's are (a repeat is a replay)
            "api_app_id": "A0001", "channel_name": "general"}
    body = urllib.parse.urlencode(form).encode()
    stamp = int(time.time())
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=str(stamp), body=body)
    response = http("POST", f"{url}/slack/events", body, {
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": str(stamp),
        "X-Slack-Signature": signature})
    assert response.status == 200, response.body
    return response.json()
