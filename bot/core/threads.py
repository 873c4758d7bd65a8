"""The bot's threads, named for the operating system as well as for Python.

Python (before 3.14) names a thread only for itself: `top -H`, `ps -L`, py-spy and
/proc/<pid>/task/<tid>/comm all show "python". Named there too, the one thread burning a core or
stuck on a socket says which part of the bot it is ("effects_0", "slack-io_2", "lease-keeper"),
and a benchmark can tell the ack's CPU from the Slack work's (bench/declare.py). Linux keeps the
first 15 characters.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from setproctitle import setthreadtitle


def _named_for_the_system() -> None:
    setthreadtitle(threading.current_thread().name)


def pool_options(name: str) -> dict:
    """``concurrent.futures.ThreadPoolExecutor``'s options for threads called ``name_0``, ``name_1``...
    by Python and by the system (for a pool built by a library, as APScheduler's executor is)."""
    return {"thread_name_prefix": name, "initializer": _named_for_the_system}


def named_pool(name: str, workers: int) -> ThreadPoolExecutor:
    """A pool whose threads are called ``name_0``, ``name_1``... by Python and by the system."""
    return ThreadPoolExecutor(max_workers=workers, **pool_options(name))


def named_thread(target: Callable[[], object], name: str) -> threading.Thread:
    """A daemon thread running ``target``, called ``name`` by Python and by the system (not yet started)."""
    def run() -> None:
        _named_for_the_system()
        target()

    return threading.Thread(target=run, name=name, daemon=True)
