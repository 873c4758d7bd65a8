"""The bot watching itself, with real processes: a worker killed with SIGKILL turns /healthz to 503
within 90 s and stops the pings to HEALTHCHECK_PING_URL; a worker started again turns it back to 200.

Production's threshold is 60 s without a tick (``test_liveness`` holds it there, on the injected
clock); these processes are given 10 s instead, and "within 90 s" becomes within that plus the same
30 s of slack, so the test waits seconds, not a minute, for the same path."""

import time

import pytest

from tests.driver import http
from tests.integration.watch.pings import PingServer
from tests.processes import bot_processes, wait_for

STALE = 10.0


@pytest.mark.timeout(300)
def test_kill_9_the_worker_then_healthz_fails_and_the_pings_stop_then_a_restart_mends_both(
        engine, database_url, fake_slack, tmp_path):
    with PingServer() as switch, bot_processes(database_url, fake_slack, tmp_path, stale=STALE, RUN_WORKER="0",
                                               HEALTHCHECK_PING_URL=switch.url) as bots:
        _, url = bots.web()
        worker = bots.worker()
        wait_for(lambda: switch.pings, 60, "the worker's first ping")

        def health() -> tuple[int, dict]:
            response = http("GET", f"{url}/healthz", timeout=5)
            return response.status, response.json()

        assert health() == (200, {"status": "ok", "database": "ok", "worker": "ok"})
        killed = bots.kill(worker)
        pinged = len(switch.pings)
        wait_for(lambda: health()[0] == 503, STALE + 30 - (time.monotonic() - killed),
                 "/healthz to fail within the threshold and 30 s")
        status, body = health()
        assert body["status"] == "failing" and body["worker"].startswith("no tick for ")
        assert int(body["worker"].removeprefix("no tick for ").removesuffix("s")) >= STALE
        assert len(switch.pings) == pinged, "a dead worker pings nobody"
        bots.worker()
        wait_for(lambda: health()[0] == 200, 60, "/healthz to mend once a worker ticks again")
        wait_for(lambda: len(switch.pings) > pinged, 30, "the new worker's ping")
