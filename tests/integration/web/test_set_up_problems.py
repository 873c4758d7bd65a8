"""An app whose Messages tab is off can DM nobody: said loudly, shown on /healthz, retried, never a
silent skip per person (issue 8, part 3)."""

from datetime import timedelta

from sqlalchemy import select

from bot.app import retry_slack_sync
from bot.core.problems import FRESH
from models import Delivery
from tests.driver import http
from tests.integration.helpers import declare, in_channel, incident
from tests.integration.paging.test_paging import ON_CALL, pages_to, run_due


def test_dms_refused_for_the_whole_app_are_retried_and_shown_on_healthz(make_bot, fake_slack, caplog):
    fake_slack.add_user("U06CTO", name="cto")
    bot = make_bot(config={**ON_CALL, "stakeholders": {"execs": {"users": ["U06CTO"]}}})
    row = declare(bot)
    fake_slack.fail("chat.postMessage", "messages_tab_disabled", times=2, when=lambda a: a["channel"] == "U06CTO")
    in_channel(bot, "update Card payments fail", row)
    assert "send direct messages: messages_tab_disabled" in incident(bot).sync_error

    health = http("GET", f"{bot.url}/healthz").json()
    assert health["status"] == "degraded" and "Messages Tab under App Home" in health["slack"]
    assert any(r.levelname == "ERROR" and "Messages Tab" in r.getMessage() for r in caplog.records)
    with bot.ctx.sessions() as session:
        assert session.scalars(select(Delivery.skipped)).all() == [None], "nobody is skipped for it"
    fake_slack.fail("chat.postMessage", "messages_tab_disabled", when=lambda a: a["channel"] == "U01ALICE")
    run_due(bot)  # level 1 pages Alice: refused too, and retried rather than given up
    assert pages_to(fake_slack, "U01ALICE") == [] and incident(bot).pages[0].notifications[0].error is None

    bot.clock.advance(timedelta(minutes=1))  # fixed in Slack: the retries go through
    retry_slack_sync(bot.ctx)
    run_due(bot)
    assert len(fake_slack.messages("U06CTO")) == 1 and len(pages_to(fake_slack, "U01ALICE")) == 1
    bot.clock.advance(FRESH)
    assert http("GET", f"{bot.url}/healthz").json() == {"status": "ok", "database": "ok"}
