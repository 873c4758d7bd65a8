"""The OAuth scopes each Web API method needs, as Slack's method pages list them ("Scopes").

The reference the fake checks calls against (slack-ruby/slack-api-ref) does not record scopes, so
this table was written by hand from Slack's method pages on docs.slack.dev (their "Scopes: Bot
token" facts, as scraped into the slack_kit Elixir package's priv/docs/methods/*.json) and the
connections:write scope page. Add a row when the bot starts calling a new method: with a restricted
token the fake reports a call to a method missing here as a violation rather than guess.

A row lists alternatives: a token holding any one of them may call the method. The Conversations
API lists one scope per kind of conversation (channels:* public channels, groups:* private ones,
im:* direct messages, mpim:* group DMs); Slack only asks for the one matching the conversation the
call is about, so `alternatives(method, kind)` narrows a row to that kind when it can. An empty row
means no scope is needed (auth.test, views.*, chat.getPermalink).

Not expressible here: chat.postMessage to a public channel the bot is not in also needs
chat:write.public (server.py checks that), and apps.connections.open takes an app-level token
(xapp-…) rather than the bot token; its row holds the app-level token's scope.
"""

from __future__ import annotations

from collections.abc import Iterable

_MANAGE = ("channels:manage", "groups:write", "im:write", "mpim:write")
_TOPIC = ("channels:manage", "channels:write.topic", "groups:write", "groups:write.topic",
          "im:write", "im:write.topic", "mpim:write", "mpim:write.topic")
_READ = ("channels:read", "groups:read", "im:read", "mpim:read")
_HISTORY = ("channels:history", "groups:history", "im:history", "mpim:history")

SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "apps.connections.open": ("connections:write",),  # app-level token, see APP_LEVEL
    "bookmarks.add": ("bookmarks:write",),
    "canvases.create": ("canvases:write",),
    "canvases.delete": ("canvases:write",),
    "canvases.edit": ("canvases:write",),
    "chat.getPermalink": (),
    "chat.postEphemeral": ("chat:write",),
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "conversations.canvases.create": ("canvases:write",),
    "conversations.create": ("channels:manage", "channels:write", "groups:write", "im:write", "mpim:write"),
    "conversations.history": _HISTORY,
    "conversations.info": _READ,
    "conversations.invite": ("channels:manage", "channels:write.invites", "groups:write", "groups:write.invites",
                             "im:write", "mpim:write"),
    "conversations.list": _READ,
    "conversations.members": _READ,
    "conversations.open": _MANAGE,
    "conversations.replies": _HISTORY,
    "conversations.setPurpose": _TOPIC,
    "conversations.setTopic": _TOPIC,
    "dnd.info": ("dnd:read",),
    "files.completeUploadExternal": ("files:write",),
    "files.getUploadURLExternal": ("files:write",),
    "openid.connect.token": (),  # the app's client id and secret, no token scope
    "openid.connect.userInfo": (),  # a user token with the openid scope (oauth_config.scopes.user)
    "pins.add": ("pins:write",),
    "reactions.add": ("reactions:write",),
    "usergroups.list": ("usergroups:read",),
    "usergroups.users.list": ("usergroups:read",),
    "users.info": ("users:read",),
    "users.list": ("users:read",),
    "users.lookupByEmail": ("users:read.email",),
    "views.open": (),
    "views.push": (),
    "views.update": (),
}

# Methods called with the app-level token; their scopes are that token's, not the bot token's.
APP_LEVEL = frozenset({"apps.connections.open"})

# The scope family of each kind of conversation (see conversations.list's `types`).
KIND_PREFIX = {"public_channel": "channels:", "private_channel": "groups:", "im": "im:", "mpim": "mpim:"}


def alternatives(method: str, kind: str | None = None) -> tuple[str, ...]:
    """The scopes any one of which lets a token call `method` (KeyError if the table lacks it),
    narrowed to conversations of `kind` (a KIND_PREFIX key) when the row has scopes of that kind."""
    row = SCOPES[method]
    if kind is None:
        return row
    narrowed = tuple(s for s in row if s.startswith(KIND_PREFIX[kind]))
    return narrowed or row


def missing(methods: Iterable[str], granted: Iterable[str], kind: str | None = None) -> dict:
    """For a check of an app manifest: each of `methods` that a token holding `granted` may not
    call (on conversations of `kind`, if given), mapped to the scopes any one of which it lacks.
    A method absent from SCOPES maps to None: the table needs a row for it."""
    granted = set(granted)
    gaps: dict = {}
    for method in dict.fromkeys(methods):
        if method not in SCOPES:
            gaps[method] = None
        elif (alts := alternatives(method, kind)) and not granted & set(alts):
            gaps[method] = alts
    return gaps
