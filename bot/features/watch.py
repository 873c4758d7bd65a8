"""What the pager watches besides alerts: heartbeats (and the Watchdog's), ``/heartbeats``,
``/incident heartbeats``, maintenance windows and their Alertmanager silences; the Watchdog's
check-ins come through the alerts feature's Alertmanager route."""

from __future__ import annotations

from bot.features import Feature
from bot.maintenance.service import SILENCE, MaintenanceService
from bot.watch.heartbeats import LATE, HeartbeatService
from bot.web.app import Web
from handlers.http import heartbeats as routes
from handlers.slack.watch_commands import MaintenanceListeners, WatchListeners


def feature(heartbeats: HeartbeatService, maintenance: MaintenanceService, webhook_token: str | None,
            public_url: str) -> Feature:
    def http(web: Web):
        return routes.routes(heartbeats, webhook_token, web.access, web.pages)

    commands = {**WatchListeners(heartbeats, public_url).listeners(), **MaintenanceListeners(maintenance).listeners()}
    return Feature("watch", commands=commands, timers={LATE: heartbeats.fire_late, SILENCE: maintenance.fire_silence},
                   at_start=(heartbeats.arm,), routes=http)
