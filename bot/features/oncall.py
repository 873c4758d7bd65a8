"""Who is on call: ``/incident oncall`` (and taking a shift), and the hand-off told to whoever comes on."""

from __future__ import annotations

from bot.config import IncidentConfig
from bot.core.clock import Clock
from bot.features import Every, Feature
from bot.paging.oncall import OnCallService
from bot.slack.notices import Notices
from handlers.slack.oncall_commands import OnCallListeners
from handlers.slack.replies import Answers

HANDOFF_CHECK_EVERY_SECONDS = 30


def feature(oncall: OnCallService, config: IncidentConfig, clock: Clock, answers: Answers | None) -> Feature:
    jobs = ()
    if answers is not None:
        notices = answers.notices
        jobs = (Every("announce-handoffs", HANDOFF_CHECK_EVERY_SECONDS,
                      lambda: announce_handoffs(oncall, notices, config)),)
    return Feature("oncall", commands=OnCallListeners(oncall, config.tz, clock, answers).listeners(), jobs=jobs)


def announce_handoffs(oncall: OnCallService, notices: Notices, config: IncidentConfig) -> None:
    """DM whoever just came on call and tell the schedule's channel, once across all workers."""
    for schedule, duty in oncall.due_handoffs():
        if oncall.claim_handoff(schedule, duty):
            notices.handoff(schedule, duty, config.schedules[schedule].channel)
