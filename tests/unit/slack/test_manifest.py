"""The app manifest asks for every scope the bot's Slack calls need, and nothing it does not use."""

import ast
import json
import re
from pathlib import Path

import yaml

from bot.slack.manifest import PLACEHOLDER_URL, manifest, scopes
from tests.fakeslack.scopes import APP_LEVEL, SCOPES, alternatives

ROOT = Path(__file__).resolve().parents[3]
GATEWAY = ROOT / "bot" / "slack" / "gateway.py"
NOT_FROM_A_METHOD = {
    "commands",  # the /incident command
    "reactions:read",  # the reaction_added subscription
    "chat:write.public",  # chat.postMessage to a public channel the bot has not joined: the announcement channel
}


SDK_FLOWS = {"files.upload.v2": {"files.getUploadURLExternal", "files.completeUploadExternal"}}
"""slack-sdk helpers that call several Web API methods."""


def methods_called() -> set[str]:
    """Every Web API method the gateway calls: ``self.client.conversations_setTopic(...)`` is
    ``conversations.setTopic`` (the gateway is the only module holding the WebClient)."""
    found = set()
    for node in ast.walk(ast.parse(GATEWAY.read_text())):
        call = node.func if isinstance(node, ast.Call) else None
        if isinstance(call, ast.Attribute) and isinstance(call.value, ast.Attribute) and call.value.attr == "client":
            method = call.attr.replace("_", ".")
            found |= SDK_FLOWS.get(method, {method})
    return found


def test_the_gateway_is_the_only_place_that_holds_a_webclient():
    offenders = [p for p in (ROOT / "bot").rglob("*.py") if p != GATEWAY and "client." in p.read_text()
                 and re.search(r"\.client\.[a-z]+_[a-zA-Z]+\(", p.read_text())]
    assert offenders == []


def test_every_method_the_bot_calls_is_covered_by_a_scope_of_the_manifest():
    called = methods_called()
    assert {"chat.postMessage", "conversations.create", "users.info", "conversations.open"} <= called
    granted = set(scopes())
    unknown = sorted(m for m in called if m not in SCOPES)
    assert unknown == [], f"add these methods to tests/fakeslack/scopes.py from Slack's docs: {unknown}"
    gaps = {m: alternatives(m, "public_channel") for m in called - APP_LEVEL
            if alternatives(m) and not granted & set(alternatives(m))}
    assert gaps == {}, f"the manifest lacks a scope for: {gaps}"


def test_the_manifest_asks_for_no_scope_the_bot_does_not_use():
    called = methods_called()
    needed = {scope for m in called - APP_LEVEL for scope in alternatives(m)} | NOT_FROM_A_METHOD
    assert [s for s in scopes() if s not in needed] == []


def test_the_repository_manifest_is_the_generated_one():
    assert (ROOT / "slack-app-manifest.yaml").read_text() == manifest(PLACEHOLDER_URL)


def test_dms_need_the_messages_tab_and_socket_mode_drops_the_request_urls():
    http = yaml.safe_load(manifest("https://bot.example.com"))
    assert http["features"]["app_home"]["messages_tab_enabled"] is True
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["interactivity"]["request_url"] == "https://bot.example.com/slack/events"
    socket = yaml.safe_load(manifest("https://bot.example.com", socket_mode=True))
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in socket["settings"]["interactivity"]
    assert "url" not in socket["features"]["slash_commands"][0]


def test_every_event_the_bot_subscribes_to_has_the_scope_slack_requires():
    from bot.slack.manifest import EVENTS

    reference = ROOT.parent / "shared" / "slack" / "api-ref" / "events"
    for event, _ in EVENTS:
        needs = json.loads((reference / f"{event}.json").read_text())["scopes"]
        assert set(needs) & set(scopes()), f"{event} needs one of {needs}"
    assert "user_change" in yaml.safe_load(manifest())["settings"]["event_subscriptions"]["bot_events"]
