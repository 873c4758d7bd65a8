"""Workers woken the moment an incident changes in another process (PostgreSQL's LISTEN/NOTIFY).

On PostgreSQL the ``web`` processes only answer Slack: each committed change of an incident is
NOTIFYed (``bot.core.store.watch_incidents``) and a worker listening here brings the
incident's Slack side in line at once, instead of at its next sweep. A notification missed while
no worker listened is not lost: the incident's rows say Slack is behind, and the sweep finds it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from bot.core.store import CHANGES
from bot.core.threads import named_thread

log = logging.getLogger(__name__)

RECONNECT_AFTER = 2.0


class ChangeListener:
    def __init__(self, database_url: str, changed: Callable[[int], None]) -> None:
        self._dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._changed = changed
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = named_thread(self._run, "change-listener")

    def start(self, ready_within: float = 10.0) -> None:
        self._thread.start()
        if not self._listening.wait(ready_within):
            log.warning("not yet listening for changes; the sweep catches up meanwhile")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True) as connection:
                    schema = connection.execute("SELECT current_schema()").fetchone()[0]
                    connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANGES + schema)))
                    log.info("listening for changes of incidents made by other processes")
                    self._listening.set()
                    while not self._stop.is_set():
                        for notice in connection.notifies(timeout=1.0):
                            self._changed(int(notice.payload))
            except (psycopg.Error, OSError, ValueError):
                log.warning("lost the connection that listens for changes; again in %gs", RECONNECT_AFTER,
                            exc_info=True)
                self._stop.wait(RECONNECT_AFTER)
