"""A database too busy to take work: recognised in one place, tried again by listeners, a 503 over HTTP."""

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.routing import Route

from bot.core.db import database_busy
from bot.web.app import starlette_app
from handlers.slack import replies
from tests.driver import Server, http


def locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))


def test_a_held_write_lock_and_an_exhausted_pool_are_busy_and_nothing_else_is():
    assert database_busy(locked())
    assert database_busy(PoolTimeout("QueuePool limit of size 5 overflow 10 reached"))
    assert not database_busy(OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x")))
    assert not database_busy(ValueError("database is locked"))


def test_a_listener_tries_again_while_no_connection_is_free(monkeypatch):
    monkeypatch.setattr(replies.time, "sleep", lambda _seconds: None)
    attempts = []

    def work() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise PoolTimeout("QueuePool limit reached")
        return "recorded"

    assert replies.persist(work, "given up") == "recorded" and len(attempts) == 3


@pytest.fixture
def server():
    server = Server()
    server.start()
    yield server
    server.stop()


def test_a_route_refused_by_a_busy_database_is_a_503_with_one_log_line(server, caplog):
    def busy(_request):
        raise locked()

    def broken(_request):
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))

    server.app = starlette_app([Route("/busy", busy), Route("/broken", broken)])
    response = http("GET", f"{server.url}/busy")
    assert response.status == 503 and "try again" in response.json()["error"]
    assert [r.getMessage() for r in caplog.records if r.name == "bot.web.app"] == [
        "answered GET /busy with 503: the database is busy (OperationalError)"]
    assert http("GET", f"{server.url}/broken").status == 500, "any other database error is still ours"
