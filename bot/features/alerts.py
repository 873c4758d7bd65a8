"""Alerts from Alertmanager and any webhook: grouped into incidents, resolved after a grace period."""

from __future__ import annotations

from bot.alerts.service import GRACE_OVER, AlertService
from bot.config import IncidentConfig
from bot.features import Feature
from handlers.http import webhooks


def feature(alerts: AlertService, webhook_token: str | None, config: IncidentConfig) -> Feature:
    return Feature("alerts", timers={GRACE_OVER: alerts.fire_grace_over},
                   routes=lambda web: webhooks.routes(alerts, webhook_token, config.alerts))
