"""A process killed (SIGKILL) with a Slack call on the wire: the next one takes over in seconds and
doubles nothing (issue 7, items 4 and 5). Real ``python -m bot web`` processes, real signals; two run
before the kill and the one holding the incident's sync is killed, so the time measured is the
takeover's, not a new process's start on a busy machine."""

import time

import pytest
from sqlalchemy import select

from bot.core.db import make_session_factory
from models import Incident
from tests.processes import bot_processes, signed_command, wait_for


def first_only():
    """A predicate true for the first call it sees: the one the test will kill the bot during."""
    seen = []

    def once(args: dict) -> bool:
        seen.append(args)
        return len(seen) == 1

    return once


@pytest.fixture
def row(engine):
    sessions = make_session_factory(engine)

    def read(incident_id: int = 1) -> Incident | None:
        with sessions() as session:
            return session.scalar(select(Incident).where(Incident.id == incident_id))

    return read


def test_killed_while_creating_the_channel_the_next_process_adopts_it(database_url, fake_slack, tmp_path, row):
    fake_slack.set_latency("conversations.create", 1.5, when=first_only())
    with bot_processes(database_url, fake_slack, tmp_path, lease=2, RUN_WORKER="1") as bots:
        (_, url), _ = bots.webs(2)
        assert "INC-1* is recorded" in signed_command(url, fake_slack)["text"]
        fake_slack.wait_for_request("conversations.create")
        killed = bots.kill(bots.process_of(row().sync_owner))
        wait_for(lambda: fake_slack.channel_by_name("inc-1-checkout-is-down"), 10, "Slack to create the channel anyway")

        ready = wait_for(lambda: (r := row()) and r.summary_ts and r.synced_revision == r.revision and r, 40,
                         "the new process to finish the incident's Slack side")
        took = time.monotonic() - killed
    channels = [c for c in fake_slack.channels.values() if c["name"].startswith("inc-")]
    assert [c["name"] for c in channels] == ["inc-1-checkout-is-down"], "adopted, not orphaned beside a -2"
    assert ready.channel_id == channels[0]["id"]
    assert took < 15, f"the Slack side was ready {took:.1f}s after the crash"


def test_killed_between_posting_the_summary_and_recording_it_nothing_is_posted_twice(database_url, fake_slack,
                                                                                    tmp_path, row):
    def summary_post(args: dict) -> bool:
        return "INC-1 (sev1)" in args.get("text", "") and not args.get("channel", "").startswith("#")

    fake_slack.set_latency("chat.postMessage", 1.5, when=summary_post)
    with bot_processes(database_url, fake_slack, tmp_path, lease=2, RUN_WORKER="1") as bots:
        (_, url), _ = bots.webs(2)
        signed_command(url, fake_slack)
        fake_slack.wait_for_request("chat.postMessage", summary_post)
        killed = bots.kill(bots.process_of(row().sync_owner))
        fake_slack.wait_for_call("chat.postMessage", lambda call: summary_post(call.args))  # Slack posted it anyway
        fake_slack.set_latency("chat.postMessage", 0)

        ready = wait_for(lambda: (r := row()) and r.summary_pinned and r.synced_revision == r.revision and r, 40,
                         "the new process to finish the incident's Slack side")
        took = time.monotonic() - killed
    summaries = [m for m in fake_slack.messages(ready.channel_id) if summary_post({"text": m["text"]})]
    assert len(summaries) == 1 and ready.summary_ts == summaries[0]["ts"]
    assert fake_slack.pins(ready.channel_id) == [ready.summary_ts]
    announcements = [m for m in fake_slack.messages(ready.announcement_channel_id) if m.get("thread_ts") is None]
    assert len(announcements) == 1
    assert took < 15, f"the Slack side was ready {took:.1f}s after the crash, not after a 2-minute claim"
