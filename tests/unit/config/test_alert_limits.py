"""The webhook limits in the configuration file: ``alerts.max_body_bytes`` and ``alerts.max_alerts_per_request``."""

from pathlib import Path

import pytest

from bot.config import ConfigError, IncidentConfig, load_config


def test_the_defaults():
    alerts = IncidentConfig().alerts
    assert (alerts.max_body_bytes, alerts.max_alerts_per_request) == (1_048_576, 1000)


def test_set_in_the_file(tmp_path):
    path = tmp_path / "incidents.yaml"
    path.write_text("alerts: {max_body_bytes: 65536, max_alerts_per_request: 50}\n")
    alerts = load_config(path).alerts
    assert (alerts.max_body_bytes, alerts.max_alerts_per_request) == (65536, 50)


def test_a_wrong_limit_names_the_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("incidents.yaml").write_text("alerts: {max_body_bytes: 0, max_alerts_per_request: lots}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(Path("incidents.yaml"))
    first, second = str(caught.value).splitlines()
    assert first.startswith("incidents.yaml: alerts.max_body_bytes: 0: ") and "greater than 0" in first
    assert second == 'incidents.yaml: alerts.max_alerts_per_request: "lots" is not a whole number'
