"""The status page's cache under readers: the clock's recheck never makes a reader wait, a change here does."""

from __future__ import annotations

import threading
import time

from bot.config import IncidentConfig
from bot.core.db import make_session_factory
from bot.status.service import StatusService
from bot.web.pages import Pages
from bot.web.status_cache import RECHECK, StatusCache
from bot.web.status_formats import status_formats
from tests.integration.status.forms import CONFIG


def wait_until(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


def test_readers_are_answered_from_the_snapshot_while_its_recheck_runs_behind(engine, clock):
    config = IncidentConfig.model_validate(CONFIG)
    status = StatusService(make_session_factory(engine), config, clock)
    asked, answer = [], threading.Event()
    version = status.version

    def held_version():
        asked.append(1)
        if len(asked) > 1:
            answer.wait(30)  # the recheck, held until the readers below were answered
        return version()

    status.version = held_version
    now = [0.0]
    cache = StatusCache(status, clock, status_formats(Pages(config.tz, "https://status.example"), "https://status.example"),
                        ticks=lambda: now[0])
    first = cache.get("html")
    assert b"Acme status" in first.body and len(asked) == 1

    now[0] = RECHECK * 0.6  # old enough to recheck, young enough to serve
    assert cache.fresh("html") is first
    wait_until(lambda: len(asked) == 2)  # the recheck is under way, in a thread of its own...
    assert cache.fresh("html") is first  # ...and readers are answered meanwhile, without waiting
    assert len(asked) == 2  # one recheck at a time
    answer.set()

    now[0] = RECHECK * 1.05  # past the first check's age limit: served only because the recheck refreshed it
    wait_until(lambda: cache.fresh("html") is first)

    cache.changed()  # a change made here: the next reader looks
    assert cache.fresh("html") is None
    assert cache.get("html") == first and len(asked) == 3
