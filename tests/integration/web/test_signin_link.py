"""A newcomer without Slack: ``python -m bot web`` (what ./scripts/serve runs) with no CONSOLE_TOKEN
prints a one-time sign-in link for the console on localhost; it signs in once, within 15 minutes."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from urllib.parse import urlsplit

from bot.core.db import make_session_factory
from bot.web.signin_links import SigninLinks
from tests.console import Browserless, start_console
from tests.processes import bot_processes, wait_for

LINK = re.compile(r"Sign in to the console \(once, within 15 minutes\): (\S+)")


def test_the_link_signs_in_once_and_only_the_newest(database_url, engine, fake_slack, clock, servers):
    bot = start_console(database_url, fake_slack, clock, servers, CONSOLE_TOKEN="", SLACK_CLIENT_ID="")
    try:
        links = bot.ctx.signin_links
        assert links.offered, "PUBLIC_URL is this machine"
        old, link = links.new(), links.new()
        path = link.removeprefix(bot.url)
        browser = Browserless(bot.url)
        shown = browser.get(path)
        assert shown.status == 200 and "Sign in</button>" in shown.body, "a GET (a preview) spends nothing"
        assert browser.get("/").status == 303
        signed_in = browser.post(path, {})
        assert (signed_in.status, signed_in.location) == (303, "/")
        assert browser.get("/").status == 200
        again = Browserless(bot.url).post(path, {})
        assert again.status == 400 and "used already" in again.body
        assert Browserless(bot.url).post(old.removeprefix(bot.url), {}).status == 400, "a newer one was printed"
        late = links.new()
        clock.advance(timedelta(minutes=16))
        assert Browserless(bot.url).post(late.removeprefix(bot.url), {}).status == 400, "15 minutes and no more"
        page = Browserless(bot.url).get("/auth/signin").body
        assert "one-time sign-in link" in page and "./scripts/serve" in page, "the sign-in page says where to look"
    finally:
        bot.settle()
        bot.close()


def test_a_server_others_reach_prints_no_link(database_url, engine, fake_slack, clock, servers):
    bot = start_console(database_url, fake_slack, clock, servers, CONSOLE_TOKEN="", PUBLIC_URL="https://bot.example.com")
    try:
        assert not bot.ctx.signin_links.offered
    finally:
        bot.close()


def test_serve_prints_the_link_and_it_opens_the_console(database_url, engine, fake_slack, tmp_path):
    with bot_processes(database_url, fake_slack, tmp_path, CONSOLE_TOKEN="") as processes:
        process, url = processes.web()
        log = processes.log_files[process.pid]
        found = wait_for(lambda: LINK.search(log.read_text()), 30, "the sign-in link in the output")
        link = found[1]
        assert link.startswith("http://localhost:")
        browser = Browserless(url)
        answer = browser.post(urlsplit(link).path, {})
        assert (answer.status, answer.location) == (303, "/")
        assert browser.get("/").status == 200


def test_web_processes_starting_together_each_make_a_link_without_colliding(engine, clock):
    """Each start writes the link in one statement: two at once (two web processes) never fail on its key."""
    links = SigninLinks(make_session_factory(engine), clock, "http://localhost:3000")
    start, made, failed = threading.Barrier(8), [], []

    def new() -> None:
        start.wait()
        try:
            made.append(links.new().rsplit("/", 1)[1])
        except Exception as exc:  # noqa: BLE001 - the failure is what this test looks for
            failed.append(exc)

    threads = [threading.Thread(target=new) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failed == [] and len(made) == 8
    assert sum(links.use(key) for key in made) == 1, "one link stands: the newest"
