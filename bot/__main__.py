"""Command line: ``python -m bot web`` serves HTTP (and the jobs, with RUN_WORKER); ``worker`` runs the jobs."""

from __future__ import annotations

import argparse
import gc
import logging
import sys

from bot.config import ConfigError, load_config, load_settings

SHUTDOWN_PATIENCE = 10.0
"""Seconds a stopping ``web`` process waits for listeners' work still running (their late answers)."""
YOUNG_OBJECTS = 10_000
"""Allocations between two collections of the youngest generation (Python's default is 700)."""


def main(argv: list[str] | None = None) -> int:
    gc.disable()  # while the app is imported and built (collect_less): its objects live as long as the process
    parser = argparse.ArgumentParser(prog="incident-bot", description="Incident coordinator for Slack")
    parser.add_argument("command", choices=["web", "worker", "check-config", "manifest", "export", "import"],
                        help="web: serve HTTP; worker: run the jobs; check-config: validate the configuration; "
                             "manifest: print the Slack app manifest for PUBLIC_URL; "
                             "export pages|incidents: CSV (export --help); "
                             "import pagerduty|opsgenie|grafana-oncall: configuration from another pager (import --help)")
    argv = sys.argv[1:] if argv is None else argv
    args, rest = parser.parse_args(argv[:1]), argv[1:]  # the rest is export's or import's own (--help)
    if rest and args.command not in ("export", "import"):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # it logs every tick of every job
    if args.command == "import":  # it writes the file, so the one there need not be valid
        return _import(rest)
    try:
        settings = load_settings()
        config = load_config(settings.incident_config)
        _check_slack_settings(settings)
        _check_smtp_url(settings)
        if args.command in ("web", "worker", "check-config"):
            from bot.app import resolve_members

            config = resolve_members(settings, config, keep=args.command != "check-config")
    except ConfigError as exc:
        print(f"incident-bot: cannot start.\n{exc}", file=sys.stderr)
        return 2
    if args.command == "check-config":
        from bot.channels import Channels

        print(f"{settings.incident_config}: OK")
        print(Channels(settings, {}).described())
        return 0
    if args.command == "manifest":
        from bot.slack.manifest import manifest

        print(manifest(settings.public_url, socket_mode=bool(settings.slack_app_token)), end="")
        return 0
    if args.command == "export":
        from bot.retro.cli import run

        gc.enable()
        return run(rest, settings, config)
    if args.command == "web":
        return serve(settings, config)
    return work(settings, config)


def _import(rest: list[str]) -> int:
    from bot.importing.cli import run

    gc.enable()
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"incident-bot: cannot start.\n{exc}", file=sys.stderr)
        return 2
    return run(rest, settings)


def _check_slack_settings(settings) -> None:
    if settings.slack_enabled and not settings.slack_signing_secret and not settings.slack_app_token:
        raise ConfigError("environment variable SLACK_SIGNING_SECRET: not set, but SLACK_BOT_TOKEN is; "
                          "set it to the app's signing secret (Basic Information page), or set SLACK_APP_TOKEN "
                          "to use Socket Mode")


def _check_smtp_url(settings) -> None:
    if settings.smtp_url:
        from bot.channels.email import EmailSender

        try:
            EmailSender.from_url(settings.smtp_url)
        except ValueError as exc:
            raise ConfigError(f"environment variable SMTP_URL: {exc}") from None


def serve(settings, config, **wiring) -> int:
    """The ``web`` process; ``wiring`` goes to ``build_context`` (tests shorten the lease)."""
    import uvicorn

    from bot.app import build_context, check_slack, create_bolt_app, create_web_app, listen_for_changes, make_scheduler
    from handlers.slack.replies import wait_for_answers

    shared = settings.database_url.startswith("postgresql")  # other processes share the work
    ctx = build_context(settings, config, slack_work_here=settings.worker_in_web or not shared, **wiring)
    collect_less()
    check_slack(ctx)
    if not settings.console_token and ctx.signin_links.offered:
        print(f"\nSign in to the console (once, within 15 minutes): {ctx.signin_links.new()}\n"
              "  (set CONSOLE_TOKEN, or Sign in with Slack, to sign in for good)\n", flush=True)
    bolt = create_bolt_app(ctx)
    scheduler = make_scheduler(ctx) if settings.worker_in_web else None
    listener = listen_for_changes(ctx) if settings.worker_in_web else None
    if scheduler is not None:
        scheduler.start()
    if bolt is not None and settings.slack_app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        logging.getLogger(__name__).info("Slack reaches the bot by Socket Mode (SLACK_APP_TOKEN is set)")
        SocketModeHandler(bolt, settings.slack_app_token).connect()
    try:
        uvicorn.run(create_web_app(ctx, bolt), host="0.0.0.0", port=settings.port, log_level="info",
                    access_log=settings.access_log)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if listener is not None:
            listener.stop()
        wait_for_answers(SHUTDOWN_PATIENCE)  # a late answer still on its way is sent, not dropped
        ctx.close()
    return 0


def collect_less() -> None:
    """Once a long-running process is built: what start-up made (modules, models, compiled SQL, the
    configuration) lives as long as the process, so it is frozen out of the collector's scans, and the
    youngest generation is collected every ``YOUNG_OBJECTS`` allocations. A declare's ack allocates
    thousands of objects; in a burst the collector took 0.45 ms of each, 0.1 ms after this. ``main``
    kept the collector off while the process was built (a third of the start-up's CPU went on
    collections that found nothing to free)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])
    gc.enable()


def work(settings, config, **wiring) -> int:
    """The ``worker`` process; ``wiring`` as for ``serve``."""
    from bot.app import build_context, check_slack, listen_for_changes, make_scheduler

    ctx = build_context(settings, config, **wiring)
    collect_less()
    check_slack(ctx)
    listener = listen_for_changes(ctx)
    try:
        make_scheduler(ctx, blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if listener is not None:
            listener.stop()
        ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
