"""The Slack app manifest: what the app asks of a workspace, written from one list of scopes and events.

``python -m bot manifest`` prints it for PUBLIC_URL (Socket Mode on when SLACK_APP_TOKEN is set), and
the repository's slack-app-manifest.yaml is this with a placeholder URL (a test keeps them equal).
Pages, checklists and stakeholder updates are DMs, which need the app's Messages tab: ``app_home``
turns it on. A test maps every Web API method the gateway calls to the scopes Slack's docs list for it.
"""

from __future__ import annotations

PLACEHOLDER_URL = "https://YOUR-PUBLIC-URL"

SCOPES: tuple[tuple[str, str], ...] = (
    ("commands", "/incident"),
    ("channels:manage", "create the public incident channel, set its topic, invite people"),
    ("channels:read", "find the channel an earlier attempt created when its answer was lost"),
    ("channels:history", "read a :pushpin:ed message; find the bot's own posts again after a crash"),
    ("chat:write", "summary, timeline posts, DMs"),
    ("chat:write.public", "announce in the announcement channel without joining it"),
    ("pins:write", "pin the live summary"),
    ("reactions:read", "the reaction_added event: a :pushpin: on a message in an incident channel"),
    ("im:write", "open the DM with a person to find a page an earlier attempt sent"),
    ("im:history", "read that DM, so nobody is paged twice for one page"),
    ("users:read", "check that a person taking a shift exists; names, zones, avatars; schedule members by @handle"),
    ("users:read.email", "find schedule members written as an e-mail (users.lookupByEmail)"),
    ("dnd:read", "know when a person's Do Not Disturb is on, so a page says what else will wake them"),
    ("usergroups:read", "page the members of a user group named in an escalation policy"),
    ("canvases:write", "the incident report as the channel's canvas, kept current"),
    ("files:write", "the report as a Markdown file where canvases are unavailable"),
)
"""Bot token scopes, each with why the bot needs it."""

EVENTS: tuple[tuple[str, str], ...] = (
    ("reaction_added", ":pushpin: copies the message into the incident's timeline"),
    ("user_change", "a person's new name, time zone or avatar reaches the people directory at once (users:read)"),
)


def manifest(public_url: str = PLACEHOLDER_URL, socket_mode: bool = False) -> str:
    """The manifest as YAML, commented. With Socket Mode Slack reaches the bot over its own
    connection, so no request URL is given."""
    endpoint = f"{public_url.rstrip('/')}/slack/events"
    width = max(len(scope) for scope, _ in SCOPES)
    scopes = "\n".join(f"      - {scope:<{width}}  # {why}" for scope, why in SCOPES)
    events = "\n".join(f"      - {event}  # {why}" for event, why in EVENTS)
    url = "" if socket_mode else f"\n      url: {endpoint}"
    events_url = "" if socket_mode else f"\n    request_url: {endpoint}"
    return f"""# Paste into https://api.slack.com/apps -> Create New App -> From a manifest.
# `python -m bot manifest` prints this file for PUBLIC_URL (Socket Mode when SLACK_APP_TOKEN is set).
display_information:
  name: Incident Bot
  description: Declare, coordinate and resolve incidents from Slack.
  background_color: "#b3261e"
features:
  app_home:
    home_tab_enabled: false
    messages_tab_enabled: true            # pages, checklists and updates are DMs: they need it
    messages_tab_read_only_enabled: false
  bot_user:
    display_name: incident-bot
    always_online: true
  slash_commands:
    - command: /incident{url}
      description: Declare and run incidents (/incident help)
      usage_hint: "declare [sev1] <title> | status mitigated | resolve | list | help"
      should_escape: true
oauth_config:
  redirect_urls:
    - {public_url.rstrip('/')}/auth/slack/callback   # Sign in with Slack, for the web console
  scopes:
    user:
      - openid              # Sign in with Slack: who signs in to the web console
      - profile             # ...and their name
    bot:
{scopes}
settings:
  event_subscriptions:{events_url}
    bot_events:
{events}
  interactivity:
    is_enabled: true{events_url}
  org_deploy_enabled: false
  socket_mode_enabled: {"true" if socket_mode else "false"}
  token_rotation_enabled: false
"""


def scopes() -> list[str]:
    return [scope for scope, _ in SCOPES]
