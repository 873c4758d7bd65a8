"""The wiring: every service is built here, on demand, never at import; every feature is composed here.

This is the only module that knows every feature (``features/``): ``features`` builds each from
the services it needs, and the Bolt app, the HTTP app, the timer workers and the scheduler are
made from what the features say they add. Nothing below this module is handed the whole.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from bot.alerts.service import AlertService
from bot.channels import Channels
from bot.channels.alertmanager import AlertmanagerSilences
from bot.channels.pagerduty import PagerDutyEventsClient
from bot.comms.updates import UpdateService
from bot.config import ConfigError, IncidentConfig, Settings
from bot.console.fairness import FairnessService
from bot.console.oncall_board import OnCallBoard
from bot.console.queries import ConsoleQueries
from bot.core.clock import Clock, SystemClock
from bot.core.db import BUSY_TIMEOUT, make_engine, make_session_factory
from bot.core.problems import AppProblems
from bot.core.secrets import stored_secret
from bot.core.store import watch_incidents
from bot.core.threads import named_pool
from bot.core.triggers import Triggers
from bot.features import Feature, alerts, console, health, incidents, oncall, paging, people, reports, retro, status, watch
from bot.incidents.service import IncidentService
from bot.jobs.leases import LEASE, LeaseKeeper, process_owner
from bot.jobs.scheduler import Every, interval_scheduler
from bot.jobs.timers import TimerWorker
from bot.jobs.wakeups import ChangeListener
from bot.maintenance.service import MaintenanceService
from bot.paging.ack_links import AckLinks
from bot.paging.bridge import PagerDutyBridge
from bot.paging.calendars import CalendarService
from bot.paging.contacts import ContactService
from bot.paging.cover import CoverService
from bot.paging.gaps import GapCheck
from bot.paging.members import MemberDirectory, UnknownMembers
from bot.paging.members import entries as member_entries
from bot.paging.oncall import OnCallService
from bot.paging.service import PagingService
from bot.paging.steps import PAGE_STEP, NotificationSteps
from bot.paging.time_off import TimeOffService
from bot.people import PeopleDirectory
from bot.reports.actions import ActionService
from bot.reports.report import ReportService
from bot.reports.review import ReviewService
from bot.retro.digest import WeeklyDigest
from bot.retro.service import RetroService
from bot.slack import commands as command_table
from bot.slack.blocks import Rendering
from bot.slack.budget import SlackBudget
from bot.slack.canvas import ReportPublisher
from bot.slack.digest import DigestPoster
from bot.slack.effects import Effects
from bot.slack.gateway import SLACK_FAILURES, SlackGateway, error_code, make_client
from bot.slack.members import SlackPeopleDirectory
from bot.slack.notices import Notices
from bot.slack.pager import SlackPager
from bot.slack.people import PeopleLookup
from bot.slack.report_forms import ReportForms
from bot.slack.rota_notices import RotaNotices
from bot.slack.sync import SlackSync
from bot.status.service import StatusService
from bot.watch.heartbeats import HeartbeatService
from bot.watch.liveness import STALE, Liveness
from bot.watch.watchdog import Watchdog
from bot.web.app import starlette_app, web_parts
from bot.web.signin_links import SigninLinks
from handlers.http import slack_events
from handlers.slack.commands import IncidentCommands, Listener
from handlers.slack.replies import Answers, on_error
from models import Timer

log = logging.getLogger(__name__)

SLACK_IO_THREADS = 16
RETRY_SYNC_EVERY_SECONDS = 5


@dataclass(kw_only=True)
class AppContext:
    """The wired application, as the processes (``bot.__main__``) and the tests hold it; never handed on."""

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
    effects: Effects
    gateway: SlackGateway | None
    sync: SlackSync | None
    notices: Notices | None
    answers: Answers | None
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
    digest: WeeklyDigest
    contacts: ContactService
    steps: NotificationSteps
    channels: Channels
    ack_links: AckLinks
    pagerduty: PagerDutyBridge
    triggers: Triggers  # Slack requests already taken, so a replay gets the first answer
    people: PeopleDirectory
    people_lookup: PeopleLookup | None  # users.info in the background; None while Slack is off
    heartbeats: HeartbeatService
    maintenance: MaintenanceService
    watchdog: Watchdog
    liveness: Liveness
    signin_links: SigninLinks
    owns_engine: bool = True  # False: the caller's engine, which the caller disposes
    features: tuple[Feature, ...] = field(init=False)
    timer_worker: TimerWorker = field(init=False)
    step_worker: TimerWorker = field(init=False)  # a page's steps (push, SMS, calls, e-mail), in a lane of their own

    def close(self) -> None:
        if self.people_lookup is not None:
            self.people_lookup.shutdown()
        self.effects.shutdown()
        self.io.shutdown(wait=True)
        self.leases.close()
        if self.owns_engine:
            self.engine.dispose()


def features(ctx: AppContext) -> tuple[Feature, ...]:
    """Every feature, each built from only what it needs. A new feature is one line here."""
    answers = ctx.answers
    return (
        health.feature(ctx.engine, ctx.problems, ctx.liveness),
        incidents.feature(ctx.incidents, ctx.updates, ctx.config, ctx.rendering, answers),
        _oncall(ctx),
        paging.feature(ctx.paging, ctx.steps, ctx.pagerduty, ctx.contacts, ctx.channels, ctx.ack_links, ctx.incidents,
                       ctx.clock, ctx.settings, answers),
        alerts.feature(ctx.alerts, ctx.settings.webhook_token, ctx.config, ctx.watchdog),
        status.feature(ctx.status, ctx.config, ctx.clock, ctx.rendering, ctx.settings.public_url, answers),
        console.feature(ConsoleQueries(ctx.sessions, ctx.config, _board(ctx)), ctx.settings, ctx.gateway, ctx.signin_links),
        reports.feature(ctx.reports, ctx.reviews, ctx.actions, ctx.report_forms, ctx.rendering, ctx.people, answers),
        retro.feature(ctx.retro, ctx.digest, _fairness(ctx), ctx.settings.public_url),
        people.feature(ctx.people, ctx.config),
        watch.feature(ctx.heartbeats, ctx.maintenance, ctx.settings.webhook_token, ctx.settings.public_url),
    )


def _board(ctx: AppContext) -> OnCallBoard:
    """The console's ``/oncall``: the schedules with their time off, cover requests and gaps."""
    return OnCallBoard(ctx.sessions, ctx.config, ctx.clock, ctx.oncall,
                       CoverService(ctx.sessions, ctx.config, ctx.clock, ctx.oncall),
                       GapCheck(ctx.sessions, ctx.config, ctx.clock, ctx.oncall))


def _oncall(ctx: AppContext) -> Feature:
    """On call, with the services only it uses: time off, cover requests, the gap check, calendars."""
    time_off = TimeOffService(ctx.sessions, ctx.config, ctx.clock, ctx.oncall)
    cover = CoverService(ctx.sessions, ctx.config, ctx.clock, ctx.oncall)
    gaps = GapCheck(ctx.sessions, ctx.config, ctx.clock, ctx.oncall)
    calendars = CalendarService(ctx.sessions, ctx.config, ctx.clock, ctx.oncall)
    rota_notices = RotaNotices(ctx.gateway, ctx.config, cover, gaps) if ctx.gateway else None
    return oncall.feature(ctx.oncall, time_off, cover, gaps, calendars, _fairness(ctx), rota_notices, ctx.config,
                          ctx.clock, ctx.people, ctx.settings.public_url, ctx.answers)


def _fairness(ctx: AppContext) -> FairnessService:
    """Who carries the pager: ``/stats`` and ``/stats/oncall.csv``."""
    return FairnessService(ctx.sessions, ctx.config, ctx.clock, ctx.oncall)


def commands(parts: Sequence[Feature]) -> dict[str, Listener]:
    """Every feature's command listeners, by their entry in the command table; one entry, one listener."""
    table: dict[str, Listener] = {}
    for feature in parts:
        for name, listener in feature.commands.items():
            if name not in command_table.BY_NAME:
                raise ValueError(f"feature {feature.name}: {name!r} is not in bot/slack/commands.py's COMMANDS")
            if name in table:
                raise ValueError(f"feature {feature.name}: another feature already answers {name!r}")
            table[name] = listener
    return table


def timers(parts: Sequence[Feature]) -> dict[str, Callable[[Timer], None]]:
    """Every feature's timer handlers, by kind; one kind, one handler."""
    handlers: dict[str, Callable[[Timer], None]] = {}
    for feature in parts:
        for kind in feature.timers.keys() & handlers.keys():
            raise ValueError(f"feature {feature.name}: another feature already handles timers of kind {kind!r}")
        handlers.update(feature.timers)
    return handlers


def build_context(settings: Settings, config: IncidentConfig, clock: Clock | None = None,
                  lease: timedelta = LEASE, slack_backoff: float = 0.5, slack_work_here: bool = True,
                  stale: timedelta = STALE, busy_timeout: float = BUSY_TIMEOUT,
                  engine: Engine | None = None) -> AppContext:
    """Wire the application. ``lease`` is how long this process's claim on a due action or an
    incident's sync outlives its last renewal (so how soon another process takes over its work);
    ``stale`` how long without a worker's tick fails /healthz, ``busy_timeout`` how long SQLite waits
    for another process's write lock (tests shorten both rather than wait a minute);
    ``slack_backoff`` is slack-sdk's wait before retrying a 5xx or a dropped connection;
    ``slack_work_here`` says whether this process brings incidents' Slack side in line after its own
    changes (a ``web`` process on PostgreSQL does not: it announces them to the workers and acks).
    ``engine``, when given, is used instead of one made here (``busy_timeout`` is then the engine's) and
    outlives the context: a test process keeps one across its tests, its pool and compiled statements warm."""
    clock = clock or SystemClock()
    owns_engine = engine is None
    engine = engine or make_engine(settings.database_url, busy_timeout)
    sessions = make_session_factory(engine)
    io = named_pool("slack-io", SLACK_IO_THREADS)
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
    people = PeopleDirectory(sessions, clock)
    people_lookup = PeopleLookup(gateway, people) if gateway else None
    if people_lookup is not None:
        people.asks_with(people_lookup.ask)
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
    paging = PagingService(sessions, config, clock, oncall, pager, steps, pagerduty, people)
    updates = UpdateService(sessions, config, clock)
    incidents = IncidentService(sessions, config, clock, paging=paging, updates=updates, reviews=reviews)
    maintenance = MaintenanceService(sessions, config, clock,
                                     AlertmanagerSilences(settings.alertmanager_url) if settings.alertmanager_url else None)
    alerts = AlertService(sessions, config, clock, incidents, maintenance)
    heartbeats = HeartbeatService(sessions, config, clock, alerts)
    liveness = Liveness(sessions, clock, leases.owner, settings.healthcheck_ping_url, stale)
    retro = RetroService(sessions, config, clock)
    poster = DigestPoster(config, gateway, settings.public_url, people, people_lookup) if gateway else None
    digest = WeeklyDigest(sessions, config, clock, retro, poster.post if poster else None)
    notices = Notices(gateway, incidents, rendering, status) if gateway else None
    report_forms = ReportForms(reports, incidents, notices) if gateway else None
    triggers = Triggers(sessions, clock)
    ctx = AppContext(
        settings=settings, config=config, clock=clock, engine=engine, sessions=sessions, incidents=incidents,
        updates=updates, oncall=oncall, paging=paging, alerts=alerts, effects=effects, gateway=gateway, sync=sync,
        notices=notices, answers=Answers(effects, notices, triggers) if notices else None, io=io, leases=leases,
        rendering=rendering, problems=problems, status=status, reviews=reviews, reports=reports, actions=actions,
        report_forms=report_forms, retro=retro, digest=digest, contacts=contacts, steps=steps, channels=channels,
        ack_links=ack_links, pagerduty=pagerduty, people=people, people_lookup=people_lookup, triggers=triggers,
        heartbeats=heartbeats, maintenance=maintenance, watchdog=Watchdog(config, alerts, heartbeats),
        liveness=liveness, signin_links=SigninLinks(sessions, clock, settings.public_url), owns_engine=owns_engine)
    ctx.features = features(ctx)
    handlers = timers(ctx.features)
    ctx.timer_worker = TimerWorker(sessions, clock, handlers, worker_id=leases.owner, leases=leases, skip=[PAGE_STEP],
                                   on_tick=liveness.ticked)
    ctx.step_worker = TimerWorker(sessions, clock, handlers, worker_id=leases.owner, leases=leases, only=[PAGE_STEP])
    return ctx


def resolve_members(settings: Settings, config: IncidentConfig, *, keep: bool) -> IncidentConfig:
    """The configuration with every schedule member an id, resolved with Slack when the token is set
    (``bot.paging.members``); ``keep`` reads and keeps the answers in the database. An entry Slack
    does not know is a ``ConfigError`` naming the file, the key and the entry."""
    slack = SlackPeopleDirectory(SlackGateway(make_client(settings.slack_bot_token, settings.slack_api_url))) \
        if settings.slack_enabled else None
    if not member_entries(config):
        return config
    engine = make_engine(settings.database_url) if keep else None
    try:
        directory = MemberDirectory(make_session_factory(engine) if engine else None, SystemClock().now)
        return directory.resolve(config, slack)
    except UnknownMembers as exc:
        raise ConfigError("\n".join(f"{settings.incident_config}: {where}: {message}"
                                     for where, message in exc.problems)) from None
    finally:
        if engine is not None:
            engine.dispose()


def create_bolt_app(ctx: AppContext) -> App | None:
    """The Bolt app with every feature's listeners registered, or ``None`` while Slack is off."""
    if ctx.gateway is None or ctx.answers is None:
        return None
    token = ctx.settings.slack_bot_token

    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        # Bolt's default calls auth.test on the first request: with Slack unreachable that
        # request would fail before the incident is recorded. The token is ours already.
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token,
                               bot_user_id=ctx.gateway.known_bot_user_id)

    app = App(
        name="incident-bot",  # else Bolt takes it from inspect.stack(), which reads every frame's source
        client=make_client(None, ctx.settings.slack_api_url),
        authorize=authorize,
        # handlers/http/slack_events.py verifies every HTTP request before Bolt parses it (Bolt
        # would parse junk first, and log a forged request's body); Socket Mode needs no signature.
        request_verification_enabled=False,
        # Listeners only write the database and hand Slack work to the effects: run them in the request's
        # own thread and answer when they ack. (Bolt's default runs each in a second thread and polls for
        # its ack every 10 ms, which costs every ack a thread hop and 5 ms on average.)
        process_before_response=True,
        raise_error_for_unhandled_request=True,  # one line in the log (handlers.slack.replies.on_error)
    )
    app.command("/incident")(IncidentCommands(commands(ctx.features), ctx.incidents, ctx.answers).handle)
    for feature in ctx.features:
        if feature.slack is not None:
            feature.slack(app)
    app.error(on_error)
    return app


def create_web_app(ctx: AppContext, bolt: App | None) -> Starlette:
    """Every route the ``web`` process serves: Slack's requests, then each feature's routes and pages."""
    web = web_parts(ctx.settings, ctx.config, ctx.sessions, ctx.clock, ctx.people)
    routes = [*slack_events.routes(bolt, ctx.settings.slack_signing_secret, ctx.effects.gate)]
    for feature in ctx.features:
        if feature.routes is not None:
            routes.extend(feature.routes(web))
    return starlette_app(routes)


def make_scheduler(ctx: AppContext, blocking: bool = False) -> BaseScheduler:
    """The worker's jobs: Slack syncs due for a retry, each feature's periodic jobs, and the timers."""
    for feature in ctx.features:
        for start in feature.at_start:
            start()
    jobs = [Every("retry-slack-sync", RETRY_SYNC_EVERY_SECONDS, lambda: retry_slack_sync(ctx)),
            *(job for feature in ctx.features for job in feature.jobs)]
    return interval_scheduler(jobs, [ctx.timer_worker, ctx.step_worker], blocking)


def retry_slack_sync(ctx: AppContext) -> None:
    """Hand every incident whose Slack side is behind, and due for a retry, to the effects."""
    if ctx.sync is None:
        return
    for incident_id in ctx.sync.due():
        ctx.effects.incident_changed(incident_id)


def listen_for_changes(ctx: AppContext) -> ChangeListener | None:
    """On PostgreSQL, a process doing the Slack work hears of other processes' changes at once."""
    if ctx.sync is None or ctx.engine.dialect.name != "postgresql":
        return None
    listener = ChangeListener(ctx.settings.database_url, ctx.effects.incident_changed)
    listener.start()
    return listener


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
