"""``/incident me``: a person's ways to be paged, their notification rules, and a test page's outcome."""

from __future__ import annotations

from bot.core.durations import format_duration
from bot.paging.contacts import KINDS, METHOD_NAMES, Contacts, describe_rules
from bot.slack.blocks.common import Message, as_blocks, sections

_KIND_NAMES = {"phone": "Phone (SMS and calls)", "email": "E-mail", "push": "Push (ntfy topic)"}


def contacts_message(contacts: Contacts, rules, on: frozenset[str]) -> Message:
    lines = ["*How pages reach you*"]
    for kind in KINDS:
        lines.append(f"{_KIND_NAMES[kind]}: {contacts.addresses.get(kind) or '_not set_'}")
    steps = []
    for rule in rules:
        reachable = rule.via == "slack" or (rule.via in on and contacts.address_for(rule.via))
        when = "at once" if not rule.after else f"after {format_duration(rule.after)}"
        steps.append(f"{METHOD_NAMES[rule.via]} {when}" + ("" if reachable else " (skipped: not set up)"))
    lines.append("Until you acknowledge: " + ", ".join(steps))
    lines.append("Set one with `/incident me phone +393471234567`, `me email you@example.com`, `me push <ntfy topic>` "
                 "(`off` removes it); your own steps with `me rules 0m slack, 2m push, 5m call` (`me rules default`: "
                 "the configured ones); `/incident me test` sends a test page by each.")
    text = "\n".join(lines)
    return Message(text=text, blocks=as_blocks(*sections(text)))


def contact_saved(kind: str, address: str | None) -> Message:
    if address is None:
        return Message(text=f"{_KIND_NAMES[kind]} removed: pages no longer use it.")
    return Message(text=f"{_KIND_NAMES[kind]} set to {address}. `/incident me test` sends a test page.")


def rules_saved(rules, default: bool) -> Message:
    whose = "The configured steps apply to you again" if default else "Your steps are now"
    return Message(text=f"{whose}: {describe_rules(rules)}, until you acknowledge.")


def contact_test_message(results: list[tuple[str, str]]) -> Message:
    if not results:
        return Message(text="No way besides Slack can reach you yet: set one with `/incident me phone …`, "
                            "`me email …` or `me push …`.")
    text = "Test pages:\n" + "\n".join(f"• {METHOD_NAMES[method]}: {outcome}" for method, outcome in results)
    return Message(text=text, blocks=as_blocks(*sections(text)))


def testing_contacts() -> Message:
    return Message(text="Sending a test page by each way that can reach you…")
