"""The file's ``heartbeats`` and ``alerts.watchdog``: every mistake named with its key."""

from datetime import timedelta

import pytest

from tests.unit.config.test_config import load, problems


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def test_the_interface_example_loads():
    config = load("""
        services: {backups: {}, payments: {}, monitoring: {}}
        heartbeats:
          nightly-backup: {every: 1d, grace: 1h, service: backups, severity: sev3}
          payments-canary: {every: 5m, grace: 2m, service: payments, severity: sev2}
        alerts:
          watchdog: {alertname: Watchdog, every: 5m, grace: 5m, service: monitoring, severity: sev2}
    """)
    assert config.heartbeat("nightly-backup").deadline == timedelta(days=1, hours=1)
    assert config.heartbeat("watchdog").alertname == "Watchdog"
    assert config.heartbeat_names() == ["nightly-backup", "payments-canary", "watchdog"]
    assert config.heartbeat("nope") is None


def test_wrong_durations_and_names_are_named():
    text = "\n".join(problems("""
        heartbeats:
          nightly-backup: {every: 1 day}
          Odd Name: {every: 5m}
    """))
    assert 'heartbeats.nightly-backup.every: "1 day" is not a duration; use 1d' in text
    assert 'heartbeats.Odd Name: "Odd Name" is not a name' in text


def test_unknown_services_and_severities_are_named():
    text = "\n".join(problems("""
        services: {backups: {}}
        heartbeats:
          nightly-backup: {every: 1d, service: backup}
          canary: {every: 5m, severity: sev9}
        alerts:
          watchdog: {every: 5m, service: monitoring}
    """))
    assert 'heartbeats.nightly-backup.service: "backup" is not a configured service' in text
    assert 'heartbeats.canary.severity: "sev9" is not a configured severity' in text
    assert 'alerts.watchdog.service: "monitoring" is not a configured service' in text


def test_a_heartbeat_called_watchdog_beside_the_watchdog_is_refused():
    found = "\n".join(problems("""
        heartbeats: {watchdog: {every: 5m}}
        alerts: {watchdog: {every: 5m}}
    """))
    assert "heartbeats.watchdog:" in found and "give this heartbeat another name" in found
