"""The shape of what Slack sends, checked before Bolt reads it: a field Slack always sends, missing
or of the wrong type, is a 400 naming it, never a listener's ``KeyError`` (a 500 and a stack trace).

Only what Bolt or the listeners read is checked, from Slack's documented payloads: a slash command's
form fields; an interaction's ``type``, ``user.id``, ``trigger_id``, its actions' ids and values and
its form's ``view`` (callback id, metadata, submitted values); an event's ``type`` and the fields of
the events the bot listens to. What the bot wrote itself (a button's value) is the listeners' to check.
"""

from __future__ import annotations

COMMAND_FIELDS = ("command", "user_id", "channel_id", "team_id", "trigger_id", "response_url")
"""What every slash command carries (its ``text`` may be empty, but is there)."""
WITH_USER = frozenset({"block_actions", "view_submission", "view_closed", "shortcut", "message_action",
                       "block_suggestion"})
WITH_TRIGGER = frozenset({"block_actions", "view_submission", "shortcut", "message_action"})
EVENT_FIELDS = {"reaction_added": ("user", "reaction", "item.type")}
"""Per event the bot listens to, the string fields it reads (``a.b`` is ``b`` inside the object ``a``)."""


class BadShape(Exception):
    """A payload Slack would never send; ``str()`` names the field."""


def check_command(fields: dict[str, str]) -> None:
    for name in COMMAND_FIELDS:
        if not fields.get(name):
            raise BadShape(f"the command has no {name}")
    if "text" not in fields:
        raise BadShape("the command has no text")


def check_interaction(payload: dict) -> None:
    kind = _text(payload, "type", "the payload")
    user = payload.get("user")
    if kind in WITH_USER and not (isinstance(user, dict) and isinstance(user.get("id"), str) and user["id"]):
        raise BadShape("the payload has no user.id")
    if kind in WITH_TRIGGER:
        _text(payload, "trigger_id", "the payload")
    if kind == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions:
            raise BadShape("the payload's actions is not a list of actions")
        for index, action in enumerate(actions):
            if not isinstance(action, dict):
                raise BadShape(f"actions[{index}] is not an object")
            _text(action, "action_id", f"actions[{index}]")
            _optional_text(action, "value", f"actions[{index}]")
            _optional_text(action, "block_id", f"actions[{index}]")
    if kind in ("view_submission", "view_closed"):
        view = _object(payload, "view", "the payload")
        _text(view, "callback_id", "view")
        _optional_text(view, "private_metadata", "view")
        if kind == "view_submission":
            _check_values(_object(_object(view, "state", "view"), "values", "view.state"))


def check_event(body: dict) -> None:
    if body.get("type") != "event_callback":
        return
    _optional_text(body, "event_id", "the body")
    event = _object(body, "event", "the body")
    kind = _text(event, "type", "event")
    for path in EVENT_FIELDS.get(kind, ()):
        *parents, name = path.split(".")
        holder, where = event, "event"
        for parent in parents:
            holder, where = _object(holder, parent, where), f"{where}.{parent}"
        _text(holder, name, where)
    if kind == "reaction_added" and event["item"]["type"] == "message":
        _text(event["item"], "channel", "event.item")
        _text(event["item"], "ts", "event.item")


def _check_values(values: dict) -> None:
    """A form's values: block id → action id → element state, whose value and choices are strings."""
    for block, elements in values.items():
        if not isinstance(elements, dict):
            raise BadShape(f"view.state.values.{block} is not an object")
        for action, element in elements.items():
            where = f"view.state.values.{block}.{action}"
            if not isinstance(element, dict):
                raise BadShape(f"{where} is not an object")
            _optional_text(element, "value", where)
            _optional_text(element, "selected_user", where)
            _optional_text(element, "selected_date", where)
            option = element.get("selected_option")
            if option is not None:
                if not isinstance(option, dict):
                    raise BadShape(f"{where}.selected_option is not an object")
                _optional_text(option, "value", f"{where}.selected_option")
            options = element.get("selected_options")
            if options is not None and not isinstance(options, list):
                raise BadShape(f"{where}.selected_options is not a list")


def _object(holder: dict, name: str, where: str) -> dict:
    value = holder.get(name)
    if not isinstance(value, dict):
        raise BadShape(f"{where} has no {name} object")
    return value


def _text(holder: dict, name: str, where: str) -> str:
    value = holder.get(name)
    if not isinstance(value, str) or not value:
        raise BadShape(f"{where} has no {name}")
    return value


def _optional_text(holder: dict, name: str, where: str) -> None:
    if holder.get(name) is not None and not isinstance(holder[name], str):
        raise BadShape(f"{where}.{name} is not a string")
