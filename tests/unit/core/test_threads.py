"""The bot's threads carry their names to the operating system (``bot.core.threads``), where
`top -H`, `ps -L`, py-spy and bench/declare.py read them; Python alone leaves them all "python"."""

import sys
import threading
from pathlib import Path

import pytest

from bot.core.threads import named_pool, named_thread

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the names back from /proc")


def system_name() -> str:
    return Path(f"/proc/self/task/{threading.get_native_id()}/comm").read_text().strip()


def test_a_pools_threads_are_named_for_the_system_as_python_names_them():
    pool = named_pool("slack-io", 2)
    try:
        names = {pool.submit(lambda: (threading.current_thread().name, system_name())).result(timeout=10)
                 for _ in range(4)}
    finally:
        pool.shutdown()
    assert all(python == system and system.startswith("slack-io_") for python, system in names)


def test_a_thread_is_named_for_the_system_and_linux_keeps_fifteen_characters():
    seen = []
    thread = named_thread(lambda: seen.append(system_name()), "healthcheck-ping")
    thread.start()
    thread.join(timeout=10)
    assert thread.daemon and seen == ["healthcheck-pin"]


def test_the_calling_thread_keeps_its_name():
    before = system_name()
    named_pool("effects", 1).submit(system_name).result(timeout=10)
    assert system_name() == before
