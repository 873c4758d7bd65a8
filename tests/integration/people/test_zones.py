"""Out of hours is judged in the paged person's own zone when Slack has told it (``retro.out_of_hours_in:
person``, the default), else in ``timezone``; ``timezone`` judges everyone in the configured zone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.orm import Session

from bot.retro import figures
from tests.integration.helpers import declare, in_channel
from tests.integration.paging.test_paging import ON_CALL, run_due

DAVE, CAROL = "U04DAVE", "U03CAROL"  # New York; Shanghai (conftest's profiles)
MONDAY_MORNING = datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc)  # 09:30 in Rome, 03:30 in New York, 16:30 in Shanghai


def paged_out_of_hours(make_bot, engine, fake_slack, retro: dict | None) -> dict[str, bool]:
    bot = make_bot(config={**ON_CALL, "timezone": "Europe/Rome", **({"retro": retro} if retro else {})})
    bot.ctx.people.record(fake_slack.user_object(DAVE))  # Slack has told the bot Dave's zone; not Carol's
    bot.clock.set(MONDAY_MORNING)
    row = declare(bot, "declare sev3 Search is slow", user="U02BOB")
    in_channel(bot, "page <@U04DAVE|dave>", row)
    in_channel(bot, "page <@U03CAROL|carol>", row)
    run_due(bot)
    with Session(engine) as session:
        rows = session.execute(figures.page_log(MONDAY_MORNING - timedelta(days=1),
                                                bot.clock.now() + timedelta(seconds=1))).mappings().all()
    return {r.user_id: r.out_of_hours for r in rows}


@pytest.mark.parametrize(("retro", "dave"), [(None, True), ({"out_of_hours_in": "person"}, True),
                                             ({"out_of_hours_in": "timezone"}, False)])
def test_a_page_is_out_of_hours_in_the_paged_persons_own_zone(make_bot, engine, fake_slack, retro, dave):
    found = paged_out_of_hours(make_bot, engine, fake_slack, retro)
    assert found[DAVE] is dave, "03:30 in New York, 09:30 in Rome"
    assert found[CAROL] is False, "a zone Slack has not told yet: the configured one (09:30 in Rome)"


def test_a_wrong_setting_names_the_key(tmp_path):
    from bot.config.load import ConfigError, load_config

    path = tmp_path / "incidents.yaml"
    path.write_text("retro: {out_of_hours_in: mine}\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "retro.out_of_hours_in" in str(error.value)
