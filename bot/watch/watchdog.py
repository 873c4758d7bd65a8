"""Alertmanager's Watchdog: an alert that always fires, so that its silence says the monitoring is down.

With ``alerts.watchdog`` set, each firing Watchdog in an Alertmanager notification is a check-in
of the ``watchdog`` heartbeat and never an alert of its own; its absence past ``every + grace``
fires ``heartbeat:watchdog``. A resolved Watchdog is no check-in (the monitoring lost it: the
deadline will say so). Alertmanager resends a firing alert every ``repeat_interval`` of its route,
so that interval must be shorter than ``every``.
"""

from __future__ import annotations

from bot.alerts.service import AlertEvent, AlertService, Outcome
from bot.config import IncidentConfig
from bot.config.schema import WATCHDOG
from bot.watch.heartbeats import HeartbeatService


class Watchdog:
    def __init__(self, config: IncidentConfig, alerts: AlertService, heartbeats: HeartbeatService) -> None:
        self._config = config
        self._alerts = alerts
        self._heartbeats = heartbeats

    def is_watchdog(self, event: AlertEvent) -> bool:
        watchdog = self._config.alerts.watchdog
        return watchdog is not None and event.payload.get("labels", {}).get("alertname") == watchdog.alertname

    def receive(self, events: list[AlertEvent]) -> list[Outcome]:
        """An Alertmanager notification: its Watchdog checks in, every other alert is an alert."""
        watchdogs = [event for event in events if self.is_watchdog(event)]
        if any(event.firing for event in watchdogs):
            self._heartbeats.check_in(WATCHDOG)
        others = iter(self._alerts.receive([event for event in events if not self.is_watchdog(event)])
                      if len(watchdogs) < len(events) else [])
        return [Outcome(event.dedup_key, "checked_in" if event.firing else "ignored") if self.is_watchdog(event)
                else next(others) for event in events]
