"""The retro's configuration keys: ``retro: {channel, day, time}`` and ``severities.<s>.counts_as_downtime``;
and when the digest is due from them."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.retro.digest import next_due
from tests.unit.config.test_config import load, problems


def test_retro_and_downtime_severities(in_tmp):  # noqa: F811
    config = load("""
        timezone: Europe/Rome
        retro: {channel: "#ops-retro", day: fri, time: "16:00"}
        severities:
          sev1: {label: Critical, update_every: 20m}
          sev2: {label: Major, update_every: 30m, counts_as_downtime: false}
          sev3: {label: Minor, update_every: 1h, counts_as_downtime: true}
        default_severity: sev3
        """)
    assert (config.retro.channel, config.retro.day, config.retro.time.isoformat()) == ("ops-retro", 4, "16:00:00")
    assert config.downtime_severities() == ["sev1", "sev3"]
    # Friday 16:00 in Rome; on Friday 27 Nov at 15:00 UTC (16:00 CET) it is due a week later
    assert next_due(config, datetime(2026, 11, 27, 14, 59, tzinfo=timezone.utc)) == datetime(2026, 11, 27, 15, 0,
                                                                                           tzinfo=timezone.utc)
    assert next_due(config, datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)) == datetime(2026, 12, 4, 15, 0,
                                                                                          tzinfo=timezone.utc)


def test_defaults(in_tmp):  # noqa: F811
    config = load("timezone: UTC\n")
    assert config.retro is None and next_due(config, datetime(2026, 11, 27, tzinfo=timezone.utc)) is None
    assert config.downtime_severities() == ["sev1", "sev2"]


def test_bad_retro_keys_are_named(in_tmp):  # noqa: F811
    assert problems('retro: {day: someday, time: 930}\n') == [
        'incidents.yaml: retro.day: "someday" is not a day; use mon, tue, wed, thu, fri, sat or sun',
        'incidents.yaml: retro.time: 930 is not a time of day; write "15:30" in quotes (YAML reads 15:30 unquoted as 930)',
    ]


def test_a_retro_without_a_channel_posts_no_digest_but_keeps_its_other_settings(in_tmp):  # noqa: F811
    config = load("retro: {out_of_hours_in: timezone}\n")
    assert config.retro.out_of_hours_in == "timezone"
    assert next_due(config, datetime(2026, 11, 27, tzinfo=timezone.utc)) is None
