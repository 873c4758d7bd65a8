"""When Slack's Do Not Disturb is on, and the per-process send rate."""

from datetime import datetime, timezone

import pytest

from bot.channels.rates import SendRates
from bot.core.errors import PageNotDelivered
from bot.slack.pager import dnd_ends

NOW = 1_800_000_000


def test_dnd_is_a_snooze_or_the_scheduled_quiet_hours_now():
    assert dnd_ends({"dnd_enabled": False, "snooze_enabled": False}, NOW) is None
    assert dnd_ends({"snooze_enabled": True, "snooze_endtime": NOW + 60}, NOW) == datetime.fromtimestamp(NOW + 60, timezone.utc)
    assert dnd_ends({"snooze_enabled": True, "snooze_endtime": NOW - 1}, NOW) is None
    quiet = {"dnd_enabled": True, "next_dnd_start_ts": NOW - 3600, "next_dnd_end_ts": NOW + 7200}
    assert dnd_ends(quiet, NOW) == datetime.fromtimestamp(NOW + 7200, timezone.utc)
    later = {"dnd_enabled": True, "next_dnd_start_ts": NOW + 60, "next_dnd_end_ts": NOW + 7200}
    assert dnd_ends(later, NOW) is None
    both = {**quiet, "snooze_enabled": True, "snooze_endtime": NOW + 9000}
    assert dnd_ends(both, NOW) == datetime.fromtimestamp(NOW + 9000, timezone.utc)


def test_a_send_over_the_rate_waits_its_turn():
    now = [100.0]
    rates = SendRates({"sms": 2}, monotonic=lambda: now[0])
    rates.take("sms")
    with pytest.raises(PageNotDelivered) as waited:
        rates.take("sms")
    assert waited.value.wait == pytest.approx(0.5) and not waited.value.permanent
    now[0] += 0.5
    rates.take("sms")
    for _ in range(10):
        rates.take("push")  # no rate: never waits
