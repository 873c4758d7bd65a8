"""Factories: everything with a connection or a thread is built here, on demand, never at import."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.alerts.service import GRACE_OVER, AlertService
from bot.channels import Channels
from bot.channels.pagerduty import PagerDutyEventsClient
from bot.comms.updates import COMMS_ASK, NAG, UpdateService
from bot.config import IncidentConfig, Settings
from bot.core.clock import Clock, SystemClock
from bot.core.db import make_engine, make_session_factory
from bot.core.problems import AppProblems
from bot.core.secrets import stored_secret
from bot.incidents.service import IncidentService
from bot.incidents.store import watch_incidents
from bot.jobs.leases import LEASE, LeaseKeeper, process_owner
from bot.jobs.timers import TimerWorker
from bot.paging.ack_links import AckLinks
from bot.paging.bridge import PAGERDUTY_EVENT, PagerDutyBridge
from bot.paging.contacts import ContactService
from bot.paging.oncall import OnCallService
from bot.paging.service import PAGE_LEVEL, PAGE_RENOTIFY, PagingService
from bot.paging.steps import PAGE_STEP, NotificationSteps
from bot.reports.actions import ACTION_DUE, ACTION_OVERDUE, ActionService
from bot.reports.report import ReportService
from bot.reports.review import REPORT_REMINDER, REVIEW_DUE, ReviewService
from bot.retro.digest import DIGEST
from bot.retro.service import RetroService
from bot.slack.blocks import Rendering
from bot.slack.budget import SlackBudget
from bot.slack.canvas import ReportPublisher
from bot.slack.digest import DigestPoster
from bot.slack.effects import Effects
from bot.slack.gateway import SLACK_FAILURES, SlackGateway, error_code, make_client
from bot.slack.notices import Notices
from bot.slack.pager import SlackPager
from bot.slack.report_forms import ReportForms
from bot.slack.sync import SlackSync
from bot.status.service import StatusService
from bot.watch.heartbeats import LATE, HeartbeatService
from bot.watch.liveness import Liveness
from bot.watch.watchdog import Watchdog
from handlers.slack import register_all
from handlers.slack.replies import on_error

log = logging.getLogger(__name__)

SLACK_IO_THREADS = 16


@dataclass
class AppContext:
    """The wired application: what handlers, jobs and tests reach the domain through."""

    settings: Settings
    config: IncidentConfig
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    incidents: IncidentService
    updates: UpdateService
    oncall: OnCallService
    paging: PagingService
    alerts: AlertService
    timer_worker: TimerWorker
    step_worker: TimerWorker  # a page's steps (push, SMS, calls, e-mail), in a lane of their own
    effects: Effects
    gateway: SlackGateway | None
    sync: SlackSync | None
    notices: Notices | None
    io: ThreadPoolExecutor
    leases: LeaseKeeper
    rendering: Rendering
    problems: AppProblems
    status: StatusService
    reviews: ReviewService
    reports: ReportService
    actions: ActionService
    report_forms: ReportForms | None
    retro: RetroService
    digest: DigestPoster
    contacts: ContactService
    steps: NotificationSteps
    channels: Channels
    ack_links: AckLinks
    pagerduty: PagerDutyBridge
    heartbeats: HeartbeatService
    watchdog: Watchdog
    liveness: Liveness

    def close(self) -> None:
        self.effects.shutdown()
        self.io.shutdown(wait=True)
        self.leases.close()
        self.engine.dispose()


def build_context(settings: Settings, config: IncidentConfig, clock: Clock | None = None,
                  lease: timedelta = LEASE, slack_backoff: float = 0.5, slack_work_here: bool = True) -> AppContext:
    """Wire the application. ``lease`` is how long this process's claim on a due action or an
    incident's sync outlives its last renewal (so how soon another process takes over its work);
    ``slack_backoff`` is slack-sdk's wait before retrying a 5xx or a dropped connection;
    ``slack_work_here`` says whether this process brings incidents' Slack side in line after its own
    changes (a ``web`` process on PostgreSQL does not: it announces them to the workers and acks)."""
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    io = ThreadPoolExecutor(max_workers=SLACK_IO_THREADS, thread_name_prefix="slack-io")
    leases = LeaseKeeper(sessions, clock, process_owner(), lease)
    problems = AppProblems(sessions, clock)
    rendering = Rendering(config, settings.public_url)
    reviews = ReviewService(sessions, config, clock)
    reports = ReportService(sessions, config, clock, reviews)
    actions = ActionService(sessions, config, clock, reviews)
    gateway = sync = None
    if settings.slack_enabled:
        budget = SlackBudget(lambda: clock.now().timestamp())
        gateway = SlackGateway(make_client(settings.slack_bot_token, settings.slack_api_url, backoff=slack_backoff,
                                           budget=budget), set_up_problem=problems.met)
        publisher = ReportPublisher(sessions, gateway, reports, rendering, clock)
        sync = SlackSync(sessions, gateway, rendering, clock, io, leases, publisher)
    effects = Effects(sync if slack_work_here else None)
    status = StatusService(sessions, config, clock)

    def incident_changed(incident_id: int) -> None:
        effects.incident_changed(incident_id)
        status.changed(incident_id)

    watch_incidents(sessions, incident_changed, announce=engine.dialect.name == "postgresql")
    oncall = OnCallService(sessions, config, clock)
    pager = SlackPager(gateway, rendering, clock.now) if gateway else None
    contacts = ContactService(sessions, config, clock)
    channels = Channels(settings, dict(config.send_rates))
    ack_links = AckLinks(sessions, lambda: stored_secret(sessions, "ack-links", clock.now()), settings.public_url)
    steps = NotificationSteps(sessions, config, clock, contacts, channels, ack_links)
    pagerduty = PagerDutyBridge(sessions, config, clock, PagerDutyEventsClient(settings.pagerduty_events_url),
                                settings.pagerduty_routing_key)
    paging = PagingService(sessions, config, clock, oncall, pager, steps, pagerduty)
    updates = UpdateService(sessions, config, clock)
    incidents = IncidentService(sessions, config, clock, paging=paging, updates=updates, reviews=reviews)
    alerts = AlertService(sessions, config, clock, incidents)
    heartbeats = HeartbeatService(sessions, config, clock, alerts)
    retro = RetroService(sessions, config, clock)
    digest = DigestPoster(sessions, config, clock, retro, gateway, settings.public_url)
    handlers = {PAGE_LEVEL: paging.fire_level, PAGE_RENOTIFY: paging.fire_renotify, PAGE_STEP: steps.fire,
                PAGERDUTY_EVENT: pagerduty.fire, NAG: updates.fire_nag,
                COMMS_ASK: updates.fire_comms_ask, GRACE_OVER: alerts.fire_grace_over,
                REPORT_REMINDER: reviews.fire_report_reminder, REVIEW_DUE: reviews.fire_review_due,
                ACTION_DUE: actions.fire_due, ACTION_OVERDUE: actions.fire_overdue, DIGEST: digest.fire,
                LATE: heartbeats.fire_late}
    liveness = Liveness(sessions, clock, leases.owner, settings.healthcheck_ping_url)
    timer_worker = TimerWorker(sessions, clock, handlers, worker_id=leases.owner, leases=leases, skip=[PAGE_STEP],
                               on_tick=liveness.ticked)
    step_worker = TimerWorker(sessions, clock, handlers, worker_id=leases.owner, leases=leases, only=[PAGE_STEP])
    notices = Notices(gateway, incidents, oncall, rendering, status) if gateway else None
    report_forms = ReportForms(gateway, reports, incidents, notices) if gateway else None
    return AppContext(settings, config, clock, engine, sessions, incidents, updates, oncall, paging, alerts,
                      timer_worker, step_worker, effects, gateway, sync, notices, io, leases, rendering, problems, status,
                      reviews, reports, actions, report_forms, retro, digest, contacts, steps, channels, ack_links,
                      pagerduty, heartbeats, Watchdog(config, alerts, heartbeats), liveness)


def create_bolt_app(ctx: AppContext) -> App | None:
    """The Bolt app with every listener registered, or ``None`` while Slack is off."""
    if ctx.gateway is None:
        return None
    token = ctx.settings.slack_bot_token

    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        # Bolt's default calls auth.test on the first request: with Slack unreachable that
        # request would fail before the incident is recorded. The token is ours already.
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token,
                               bot_user_id=ctx.gateway.known_bot_user_id)

    app = App(
        client=make_client(None, ctx.settings.slack_api_url),
        authorize=authorize,
        # handlers/http/slack_events.py verifies every HTTP request before Bolt parses it (Bolt
        # would parse junk first, and log a forged request's body); Socket Mode needs no signature.
        request_verification_enabled=False,
        # Listeners only write the database and hand Slack work to the effects: run them in the request's
        # own thread and answer when they ack. (Bolt's default runs each in a second thread and polls for
        # its ack every 10 ms, which costs every ack a thread hop and 5 ms on average.)
        process_before_response=True,
    )
    register_all(app, ctx)
    app.error(on_error)
    return app


def check_slack(ctx: AppContext) -> None:
    """Say plainly at start-up whether Slack (and each other way to page) is on, and learn the bot's own user id."""
    log.info("%s", ctx.channels.described())
    if ctx.gateway is None:
        log.warning("Slack is off: SLACK_BOT_TOKEN is not set. The web server, webhooks and jobs run; "
                    "nothing is posted to Slack until it is set.")
        return
    try:
        identity = ctx.gateway.identity()
    except SLACK_FAILURES as exc:
        log.error("Slack refused the bot token (%s): check SLACK_BOT_TOKEN.", error_code(exc))
        return
    log.info("Connected to Slack as %s in %s", identity.get("user"), identity.get("team"))
