"""A worker killed (SIGKILL) while a page step is on the wire to its provider: the step it left "sending" may
have gone, so the next process treats it as maybe sent, never re-sending it blindly nor losing it. Real
``python -m bot web`` processes, a real signal, the fake Twilio over HTTP."""

from sqlalchemy import select

from bot.core.db import make_session_factory
from models import DeliveryState, PageDelivery, TimelineEvent
from tests.processes import bot_processes, signed_command, wait_for

PHONE = "+393471234567"
CONFIG = {
    "schedules": {"primary": {"rotation": "weekly", "members": ["U01ALICE"]}},
    "escalation_policies": {"default": {"levels": [{"notify": [{"schedule": "primary"}], "escalate_after": "30m"}]}},
    "notification_rules": [{"after": "0m", "via": "slack"}, {"after": "0m", "via": "call"}],
}


def test_a_call_left_sending_by_a_killed_worker_goes_again_marked_a_possible_repeat(database_url, engine, fake_slack,
                                                                                      tmp_path, providers, twilio_server):
    sessions = make_session_factory(engine)

    def call_step() -> PageDelivery | None:
        with sessions() as session:
            return session.scalar(select(PageDelivery).where(PageDelivery.method == "call"))

    with bot_processes(database_url, fake_slack, tmp_path, config=CONFIG, lease=2, RUN_WORKER="1", **providers) as bots:
        first, url = bots.web()
        signed_command(url, fake_slack, f"me phone {PHONE}")
        twilio_server.hold_answers(20)  # Twilio places the call; its answer comes after the worker is dead
        signed_command(url, fake_slack)
        twilio_server.wait_for(lambda: twilio_server.calls, timeout=30)
        assert call_step().state == DeliveryState.SENDING
        bots.kill(first)

        bots.web()
        step = wait_for(lambda: (s := call_step()) and s.state == DeliveryState.SENT and s, 40,
                        "the next process to finish the step")
    assert len(twilio_server.calls) == 2, "a call cannot be looked up: it goes again rather than not at all"
    assert step.provider_ref == twilio_server.calls[1]["sid"]
    with sessions() as session:
        said = session.scalars(select(TimelineEvent.text).where(TimelineEvent.kind == "page_step")).all()
    assert len(said) == 1 and "it may arrive twice" in said[0], said
