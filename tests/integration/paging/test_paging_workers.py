"""Paging with the real scheduler in real worker processes, second-long delays, counted at the fake Slack."""

import signal

import pytest
from sqlalchemy import select

from bot.app import build_context
from bot.config import load_config, load_settings
from bot.incidents.service import Declaration
from models.timer import PENDING, Timer
from tests.integration.paging.test_paging import pages_to
from tests.processes import bot_processes, wait_for

CONFIG = {
    "schedules": {
        "primary": {"rotation": "weekly", "members": ["U01ALICE"]},
        "secondary": {"rotation": "weekly", "members": ["U04DAVE"]},
    },
    "escalation_policies": {"default": {"levels": [
        {"notify": [{"schedule": "primary"}], "escalate_after": "2s"},
        # Longer than the workers' 3 s lease and a tick: a level-2 page whose worker was killed is taken over
        # before level 3 comes (a page DM is retried until acknowledged or escalated, not after).
        {"notify": [{"schedule": "secondary"}], "escalate_after": "8s"},
        {"notify": [{"user": "U03CAROL"}]},
    ]}},
}


NAGGING = {"severities": {"sev3": {"label": "Minor", "update_every": "2s"}}}


@pytest.fixture
def bots(engine, database_url, fake_slack, tmp_path, request):
    """Worker processes (``python -m bot worker`` with a 3 s lease) on this test's database and fake Slack."""
    with bot_processes(database_url, fake_slack, tmp_path, getattr(request, "param", CONFIG), lease=3) as processes:
        yield processes


@pytest.fixture
def workers(bots):
    return bots.worker


@pytest.fixture
def app(bots):
    """The web side, in this process: it declares and acknowledges; only the workers page."""
    settings = load_settings({name: value for name, value in bots.env.items() if name.isupper()})
    ctx = build_context(settings, load_config(settings.incident_config))
    yield ctx
    ctx.effects.wait_idle(30)
    ctx.close()


def pending_timers(app, incident_id: int | None = None) -> list[Timer]:
    """Timers still to run; none left means nothing more can happen."""
    with app.sessions() as session:
        query = select(Timer).where(PENDING)
        if incident_id is not None:
            query = query.where(Timer.incident_id == incident_id)
        return list(session.scalars(query))


def declare(app, n: int) -> list[int]:
    return [app.incidents.declare(Declaration(title=f"Outage {i}", severity="sev1", declared_by="U02BOB")).id
            for i in range(n)]


def test_level_1_then_level_2_then_ack_then_nothing(app, workers, fake_slack):
    workers(), workers()
    [incident_id] = declare(app, 1)
    wait_for(lambda: pages_to(fake_slack, "U04DAVE"))
    app.incidents.acknowledge(incident_id, "U04DAVE")
    assert [t.kind for t in pending_timers(app, incident_id) if t.kind.startswith("page")] == [], \
        "the acknowledgement cancelled level 3 (due 8 s after level 2): nothing more can page"
    assert (len(pages_to(fake_slack, "U01ALICE")), len(pages_to(fake_slack, "U04DAVE"))) == (1, 1)
    assert pages_to(fake_slack, "U03CAROL") == []
    paged = [e for e in app.incidents.get(incident_id).events if e.kind == "paged"]
    assert len(paged) == 2 and (paged[1].at - paged[0].at).total_seconds() == pytest.approx(2, abs=1.5)


def test_two_workers_never_send_a_page_twice_and_one_finishes_what_a_killed_one_began(app, workers, fake_slack):
    doomed, _ = workers(), workers()
    declare(app, 6)
    wait_for(lambda: len(pages_to(fake_slack, "U01ALICE")) == 6, 60, "level 1 paged (two workers starting on a busy machine)")
    doomed.send_signal(signal.SIGKILL)
    wait_for(lambda: len(pages_to(fake_slack, "U03CAROL")) == 6)
    wait_for(lambda: not [t for t in pending_timers(app) if t.kind.startswith("page")], what="the chains to end")
    assert [len(pages_to(fake_slack, user)) for user in ("U01ALICE", "U04DAVE", "U03CAROL")] == [6, 6, 6]


@pytest.mark.parametrize("bots", [NAGGING], indirect=True)
def test_two_workers_nag_once_per_interval(app, workers, fake_slack):
    workers(), workers()
    [incident_id] = [app.incidents.declare(Declaration(title="Slow search", severity="sev3", declared_by="U02BOB")).id]

    def nags() -> list:
        return [e for e in app.incidents.get(incident_id).events if e.kind == "nag"]

    wait_for(lambda: len(nags()) >= 2, what="two rounds of nags (due at 2 s and 4 s)")
    app.incidents.post_update(incident_id, "U02BOB", "Search is slower; a fix is rolling out")  # no third round
    app.effects.wait_idle(30)
    assert [e.data["round"] for e in nags()] == [1, 2]
    channel = app.incidents.get(incident_id).channel_id
    assert len([m for m in fake_slack.messages(channel) if "no stakeholder update" in m["text"]]) == 2
