"""``/healthz``: the database answers, and the Slack app is set up to do its job."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.core.problems import AppProblems
from bot.features import Feature
from handlers.http import health


def feature(engine: Engine, problems: AppProblems) -> Feature:
    return Feature("health", routes=lambda web: health.routes(engine, problems))
