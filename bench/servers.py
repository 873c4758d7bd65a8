"""The servers bench/declare.py compares the bot with: ``python -m bench.servers bare|commit|stock --port N``.

Settings come from the environment, as for ``python -m bot web``; each answers GET /healthz.
  bare   a Bolt app whose /incident listener only acks, configured like bot.app.create_bolt_app
         and served by bot.app.create_web_app (dispatch in Starlette's thread pool): the floor
         that Bolt, uvicorn and HTTP allow;
  commit the bare app whose listener first commits one row, the command's trigger id taken by
         the bot's own code (bot.core.triggers in one transaction): the floor of an ack that is
         only sent once something is durably written, as the bot's is;
  stock  the bot (bot.app.create_bolt_app) behind Bolt's stock Starlette adapter, which
         dispatches on the event loop.
"""

from __future__ import annotations

import argparse

import uvicorn
from slack_bolt import Ack, App
from slack_bolt.adapter.starlette import SlackRequestHandler
from slack_bolt.authorization import AuthorizeResult
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Mount, Route

from bot.app import AppContext, build_context, check_slack, create_bolt_app, create_web_app
from bot.config import load_config, load_settings
from bot.core.transactions import one_transaction
from bot.slack.gateway import make_client


def bare_bolt(ctx: AppContext, commits: bool = False) -> App:
    """Configured like bot.app.create_bolt_app (no auth.test: the token is given), one listener that only
    acks; with ``commits``, once its trigger id is committed."""
    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=ctx.settings.slack_bot_token)

    app = App(client=make_client(None, ctx.settings.slack_api_url), authorize=authorize,
              signing_secret=ctx.settings.slack_signing_secret, process_before_response=True,
              request_verification_enabled=False)  # the web app verifies every request first, as for the bot

    @app.command("/incident")
    def incident(ack: Ack, body: dict) -> None:
        if commits:
            with one_transaction(ctx.engine):
                ctx.triggers.take(body["trigger_id"])
        ack()

    return app


def stock_adapter(ctx: AppContext) -> Starlette:
    """the web app with /slack/events taken over by Bolt's stock adapter."""
    bolt = create_bolt_app(ctx)
    handler = SlackRequestHandler(bolt)

    async def slack_events(request: Request):
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", slack_events, methods=["POST"]),
                             Mount("", app=create_web_app(ctx, bolt))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["bare", "commit", "stock"])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = load_settings()
    ctx = build_context(settings, load_config(settings.incident_config))
    if args.kind in ("bare", "commit"):
        web = create_web_app(ctx, bare_bolt(ctx, commits=args.kind == "commit"))
    else:
        check_slack(ctx)
        web = stock_adapter(ctx)
    try:
        uvicorn.run(web, host="127.0.0.1", port=args.port, log_level="warning")
    finally:
        ctx.close()


if __name__ == "__main__":
    main()
