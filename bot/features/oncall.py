"""Who is on call: ``/incident oncall`` (and taking a shift), time off, cover requests, gaps and conflicts
seen ahead (a daily timer row and every change), and the hand-off told to whoever comes on."""

from __future__ import annotations

from slack_bolt import App

from bot.config import IncidentConfig
from bot.console.fairness import FairnessService
from bot.core.clock import Clock
from bot.features import Every, Feature
from bot.paging.calendars import CalendarService
from bot.paging.cover import CoverService
from bot.paging.gaps import GAP_CHECK, GapCheck
from bot.paging.oncall import OnCallService
from bot.paging.time_off import TimeOffService
from bot.people import PeopleDirectory
from bot.slack.notices import Notices
from bot.slack.rota_notices import RotaNotices
from bot.web.app import Web
from handlers.http.calendars import routes as calendar_routes
from handlers.slack.oncall_commands import OnCallListeners
from handlers.slack.replies import Answers
from handlers.slack.rota_commands import RotaListeners

HANDOFF_CHECK_EVERY_SECONDS = 30


def feature(oncall: OnCallService, time_off: TimeOffService, cover: CoverService, gaps: GapCheck,
            calendars: CalendarService, fairness: FairnessService, rota_notices: RotaNotices | None,
            config: IncidentConfig, clock: Clock, people: PeopleDirectory,
            public_url: str, answers: Answers | None) -> Feature:
    jobs = ()
    if answers is not None:
        notices = answers.notices
        jobs = (Every("announce-handoffs", HANDOFF_CHECK_EVERY_SECONDS,
                      lambda: announce_handoffs(oncall, notices, config)),)
    rota = RotaListeners(oncall, time_off, cover, gaps, calendars, public_url, rota_notices, answers)

    def slack(app: App) -> None:
        rota.register(app)

    def daily_check(timer) -> None:
        if rota_notices is not None:
            rota_notices.say_findings()
        gaps.arm()

    def http(web: Web):
        return calendar_routes(web.access, calendars, fairness, clock, public_url, people.names)

    return Feature("oncall", commands={**OnCallListeners(oncall, config.tz, clock, answers).listeners(),
                                       **rota.listeners()},
                   slack=slack, timers={GAP_CHECK: daily_check}, jobs=jobs, at_start=(gaps.arm,), routes=http)


def announce_handoffs(oncall: OnCallService, notices: Notices, config: IncidentConfig) -> None:
    """DM whoever just came on call and tell the schedule's channel, once across all workers."""
    for schedule, duty in oncall.due_handoffs():
        if oncall.claim_handoff(schedule, duty):
            notices.handoff(schedule, duty, config.schedules[schedule].channel)
