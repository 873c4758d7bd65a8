"""Two workers; the one sending a page is killed (SIGKILL) mid-call: the other finishes its work within
seconds and pages nobody twice (issue 7, item 6). Real ``python -m bot worker`` processes, both running
before the kill, so the time measured is the takeover's, not a new process's start on a busy machine."""

import time

from sqlalchemy import select

from bot.app import build_context
from bot.config import load_config, load_settings
from bot.incidents.service import Declaration
from models import PageNotification, Timer
from tests.integration.paging.test_paging import pages_to
from tests.processes import bot_processes, wait_for

CONFIG = {
    "schedules": {
        "primary": {"rotation": "weekly", "members": ["U01ALICE"]},
        "secondary": {"rotation": "weekly", "members": ["U04DAVE"]},
    },
    "escalation_policies": {"default": {"levels": [
        {"notify": [{"schedule": "primary"}], "escalate_after": "2s"},
        {"notify": [{"schedule": "secondary"}], "escalate_after": "1h"},
        {"notify": [{"user": "U03CAROL"}]},
    ]}},
}


def to_dave(args: dict) -> bool:
    return args.get("channel") == "U04DAVE"


def sender(web) -> int:
    """The pid of the worker whose claim the page on the wire is sent under (claims are host:pid:nonce)."""
    with web.sessions() as session:
        [owner] = session.scalars(select(Timer.claimed_by).where(Timer.done_at.is_(None), Timer.claimed_by.is_not(None)))
    return int(owner.split(":")[1])


def test_the_survivor_finishes_a_killed_workers_page_within_seconds_and_never_twice(engine, database_url, fake_slack,
                                                                                    tmp_path):
    fake_slack.set_latency("chat.postMessage", 3, when=to_dave)  # the level-2 page is on the wire when the worker dies
    with bot_processes(database_url, fake_slack, tmp_path, CONFIG) as bots:
        settings = load_settings({k: v for k, v in bots.env.items() if k.isupper()})
        web = build_context(settings, load_config(settings.incident_config))
        try:
            workers = {process.pid: process for process in (bots.worker(), bots.worker())}
            web.incidents.declare(Declaration(title="Checkout is down", severity="sev1", declared_by="U02BOB"))
            fake_slack.wait_for_request("chat.postMessage", to_dave, timeout=30)
            killed = bots.kill(workers[sender(web)])
            fake_slack.set_latency("chat.postMessage", 0)  # the survivor's page is answered at once

            def dave_paged() -> bool:
                with web.sessions() as session:
                    return session.scalar(select(PageNotification.sent_at).where(PageNotification.user_id == "U04DAVE"))

            wait_for(dave_paged, 30, "the survivor to finish the level-2 page")
            took = time.monotonic() - killed
            fake_slack.wait_for_call("chat.postMessage", lambda call: to_dave(call.args))
            web.effects.wait_idle(30)
        finally:
            web.close()
    assert len(pages_to(fake_slack, "U04DAVE")) == 1, "paged once: the survivor found the page the dead worker sent"
    assert len(pages_to(fake_slack, "U01ALICE")) == 1
    assert took < 10, f"the survivor finished the dead worker's page {took:.1f}s after the kill"
