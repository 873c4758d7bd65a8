"""The retro: ``/incident stats``, the ``/stats`` page and CSV exports, and the weekly digest."""

from __future__ import annotations

from bot.console.fairness import FairnessService
from bot.features import Feature
from bot.retro.digest import DIGEST, WeeklyDigest
from bot.retro.service import RetroService
from bot.web.app import Web
from handlers.http import stats as routes
from handlers.slack.stats_commands import StatsListeners


def feature(retro: RetroService, digest: WeeklyDigest, fairness: FairnessService, public_url: str) -> Feature:
    def http(web: Web):
        return routes.routes(web.access, web.pages, retro, fairness)

    return Feature("retro", commands=StatsListeners(retro, public_url).listeners(), timers={DIGEST: digest.fire},
                   at_start=(digest.arm,), routes=http)
