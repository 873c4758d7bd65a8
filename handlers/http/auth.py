"""``/auth/signin``, ``/auth/slack/callback``, ``/auth/signout``: signing in to the console.

Sign in with Slack is OpenID Connect: the sign-in page's button posts here, the browser is sent
to Slack's authorize page with a fresh ``state`` (kept in a signed cookie of ten minutes), and
Slack sends it back to the callback with a code, exchanged through the gateway for who signed
in. Only members of the bot's own workspace get in. The sign-in page also takes CONSOLE_TOKEN,
for a server without Slack. A refused sign-in says why, with a 400 page, never a stack trace.
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import parse_qsl, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.slack.gateway import SLACK_FAILURES, SlackGateway, error_code
from bot.web.auth import Access, Viewer
from bot.web.pages import Pages
from bot.web.signin_links import SigninLinks

log = logging.getLogger(__name__)

SCOPE = "openid profile"
MAX_FORM = 4096


class SlackSignIn:
    """What Sign in with Slack needs: the app's credentials, the gateway, and where Slack lives."""

    def __init__(self, gateway: SlackGateway, client_id: str, client_secret: str, api_url: str, public_url: str) -> None:
        self.gateway = gateway
        self.client_id = client_id
        self.client_secret = client_secret
        self.authorize_url = api_url.rstrip("/").removesuffix("/api") + "/openid/connect/authorize"
        self.redirect_uri = f"{public_url}/auth/slack/callback"

    def team(self) -> str | None:
        """The workspace whose members may sign in: the bot's own (``auth.test``, asked once)."""
        return self.gateway.identity().get("team_id")


def routes(access: Access, pages: Pages, slack: SlackSignIn | None, links: SigninLinks | None = None) -> list[Route]:
    cookies = access.cookies

    def signin_page(request: Request, problem: str | None = None, status_code: int = 200) -> Response:
        return pages.render(request, "signin.html", status_code, problem=problem, slack=slack is not None,
                            token=access.takes_token, next=_next(request.query_params.get("next")),
                            links=links is not None and links.offered)

    async def link(request: Request) -> Response:
        """A one-time link: GET shows a button (a link preview must not spend it), POST signs in."""
        key = request.path_params["key"]
        if request.method == "GET":
            return pages.render(request, "signin.html", slack=False, token=False, next="/", link=key)
        if links is None or not await run_in_threadpool(links.use, key):
            return signin_page(request, "This sign-in link was used already, or is more than 15 minutes old, or a "
                                        "newer one was printed. Restart ./scripts/serve for a new one, or set "
                                        "CONSOLE_TOKEN.", 400)
        return _signed_in(Viewer("first sign-in (one-time link)"), "/")

    async def signin(request: Request) -> Response:
        if request.method == "GET":
            if access.viewer(request) is not None:
                return RedirectResponse(_next(request.query_params.get("next")), status_code=303)
            return signin_page(request)
        form = await _form(request)
        destination = _next(form.get("next"))
        if form.get("via") == "slack":
            if slack is None:
                return signin_page(request, "Sign in with Slack is not set up on this server "
                                            "(SLACK_CLIENT_ID and SLACK_CLIENT_SECRET).", 400)
            state = secrets.token_urlsafe(24)
            query = {"response_type": "code", "scope": SCOPE, "client_id": slack.client_id, "state": state,
                     "redirect_uri": slack.redirect_uri, "nonce": secrets.token_urlsafe(16)}
            response = RedirectResponse(f"{slack.authorize_url}?{urlencode(query)}", status_code=303)
            cookies.start_signin(response, state, destination)
            return response
        token = form.get("token")
        if not isinstance(token, str) or not access.token_matches(token):
            return signin_page(request, "That is not the console token.", 401)
        return _signed_in(Viewer("operator"), destination)

    async def callback(request: Request) -> Response:
        under_way = cookies.signin_under_way(request)
        params = request.query_params
        if under_way is None or not secrets.compare_digest(params.get("state", ""), under_way["state"]):
            return _refused(request, "this sign-in was not started here, or it took longer than ten minutes "
                                     "(its state does not match). Start again.")
        if params.get("error"):
            return _refused(request, f"Slack said {params['error']!r}. Start again if you meant to sign in.")
        if slack is None:
            return _refused(request, "Sign in with Slack is not set up on this server.")
        try:
            person = await run_in_threadpool(slack.gateway.signed_in, slack.client_id, slack.client_secret,
                                             params.get("code", ""), slack.redirect_uri)
            team = await run_in_threadpool(slack.team)
        except SLACK_FAILURES as exc:
            log.warning("Sign in with Slack refused: %s", error_code(exc))
            return _refused(request, f"Slack did not accept the sign-in ({error_code(exc)}). Start again.")
        user = person.get("https://slack.com/user_id") or person.get("sub")
        if not team or person.get("https://slack.com/team_id") != team:
            return _refused(request, "only members of this bot's Slack workspace may sign in.", 403)
        response = _signed_in(Viewer(str(person.get("name") or user), str(user)), _next(under_way.get("next")))
        cookies.end_signin(response)
        return response

    async def signout(request: Request) -> Response:
        response = RedirectResponse("/auth/signin", status_code=303)
        cookies.sign_out(response)
        return response

    def _signed_in(viewer: Viewer, destination: str) -> Response:
        response = RedirectResponse(destination, status_code=303)
        cookies.sign_in(response, viewer)
        return response

    def _refused(request: Request, why: str, status_code: int = 400) -> Response:
        response = signin_page(request, f"Sign-in refused: {why}", status_code)
        cookies.end_signin(response)
        return response

    return [
        Route("/auth/signin", signin, methods=["GET", "POST"]),
        Route("/auth/slack/callback", callback, methods=["GET"]),
        Route("/auth/signout", signout, methods=["POST"]),
        Route("/auth/link/{key}", link, methods=["GET", "POST"]),
    ]


async def _form(request: Request) -> dict[str, str]:
    """The sign-in page's small urlencoded form (read by hand: Starlette's parser needs python-multipart)."""
    body = await request.body()
    if len(body) > MAX_FORM:
        return {}
    try:
        return dict(parse_qsl(body.decode("utf-8", "replace"), max_num_fields=10))
    except ValueError:  # more fields than the form has
        return {}


def _next(value: object) -> str:
    """Where to go after signing in: a path of this site, never another site."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"
