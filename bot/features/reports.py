"""After the incident: the report (canvas, form, web page), the review and its reminders, action items."""

from __future__ import annotations

from slack_bolt import App

from bot.features import Feature
from bot.people import PeopleDirectory
from bot.reports.actions import ACTION_DUE, ACTION_OVERDUE, ActionService
from bot.reports.report import ReportService
from bot.reports.review import REPORT_REMINDER, REVIEW_DUE, ReviewService
from bot.slack.blocks import Rendering
from bot.slack.report_forms import ReportForms
from bot.web.app import Web
from handlers.http import reports as routes
from handlers.slack import report_views
from handlers.slack.replies import Answers
from handlers.slack.report_commands import ReportListeners


def feature(reports: ReportService, reviews: ReviewService, actions: ActionService, report_forms: ReportForms | None,
            rendering: Rendering, people: PeopleDirectory, answers: Answers | None) -> Feature:
    def slack(app: App) -> None:
        report_views.register(app, reports, reviews, actions, report_forms, answers)

    def http(web: Web):
        return routes.routes(reports, web.pages, web.access, rendering, people)

    return Feature(
        "reports",
        commands=ReportListeners(reports, reviews, actions, report_forms, rendering, answers).listeners(),
        slack=slack,
        timers={REPORT_REMINDER: reviews.fire_report_reminder, REVIEW_DUE: reviews.fire_review_due,
                ACTION_DUE: actions.fire_due, ACTION_OVERDUE: actions.fire_overdue},
        routes=http,
    )
