"""``/healthz``: the database answers, a worker is ticking, and the Slack app is set up to do its job."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.core.problems import AppProblems
from bot.features import Feature
from bot.watch.liveness import Liveness
from handlers.http import health


def feature(engine: Engine, problems: AppProblems, liveness: Liveness) -> Feature:
    return Feature("health", routes=lambda web: health.routes(engine, problems, liveness))
