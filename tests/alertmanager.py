"""Debian's real Alertmanager (/usr/bin/prometheus-alertmanager), started on loopback for one test:
its webhook receiver is the bot, its storage a temporary folder, clustering off."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from tests.driver import HttpResponse, http
from tests.processes import free_port, wait_for

BINARY = "/usr/bin/prometheus-alertmanager"


class Alertmanager:
    def __init__(self, tmp_path: Path, webhook_url: str | None, token: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        receiver: dict = {"name": "bot"}
        if webhook_url is not None:
            receiver["webhook_configs"] = [{"url": webhook_url, "send_resolved": True,
                                            "http_config": {"authorization": {"credentials": token}}}]
        config = {"route": {"receiver": "bot", "group_by": ["alertname"], "group_wait": "0s",
                            "group_interval": "1s", "repeat_interval": "1m"},
                  "receivers": [receiver]}
        self.folder = tmp_path / f"alertmanager-{self.port}"
        self.folder.mkdir()
        (self.folder / "alertmanager.yml").write_text(yaml.safe_dump(config))
        self.log = self.folder / "alertmanager.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("w") as log:
            self.process = subprocess.Popen([
                BINARY, f"--config.file={self.folder / 'alertmanager.yml'}",
                f"--storage.path={self.folder / 'data'}", f"--web.listen-address=127.0.0.1:{self.port}",
                "--cluster.listen-address=", "--log.level=info"], stdout=log, stderr=subprocess.STDOUT)

        def ready() -> bool:
            assert self.process.poll() is None, f"Alertmanager died: {self.log.read_text()[-2000:]}"
            try:
                return http("GET", f"{self.url}/-/ready", timeout=1).status == 200
            except OSError:
                return False

        wait_for(ready, 30, "Alertmanager to be ready")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def post_alerts(self, *labels: dict) -> HttpResponse:
        """Alerts as Prometheus posts them (API v2), firing for an hour."""
        now = datetime.now(UTC)
        body = [{"labels": label, "startsAt": now.isoformat(), "endsAt": (now + timedelta(hours=1)).isoformat()}
                for label in labels]
        return http("POST", f"{self.url}/api/v2/alerts", json.dumps(body).encode(),
                    {"Content-Type": "application/json"})

    def silences(self) -> list[dict]:
        return http("GET", f"{self.url}/api/v2/silences").json()


@contextmanager
def alertmanager(tmp_path: Path, webhook_url: str | None = None, token: str = "hook-token") -> Iterator[Alertmanager]:
    manager = Alertmanager(tmp_path, webhook_url, token)
    manager.start()
    try:
        yield manager
    finally:
        manager.stop()
