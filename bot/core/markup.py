"""Text that people typed, made safe to show: in Slack (mrkdwn) and anywhere plain text goes.

Texts reach the database in Slack's own form: a slash command's text arrives escaped
(``&amp;``, ``&lt;``) with mentions as ``<@U123|alice>``, and the bot writes mentions as
``<@U123>`` in its timeline. A modal's or a webhook's text arrives raw. Either way, showing
it again must not let anyone broadcast through the bot (``<!channel>``, ``<!here>``,
``<!everyone>``, ``<!subteam^…>``) or hide a link behind a label (``<https://evil|Runbook>``).

``mrkdwn`` keeps what is harmless and meant (a person's mention, a channel link, a date, a
bare link) and turns everything else into visible text (a date's link too: it would hide behind the
date's text); ``plain`` reads the same markup as
words, for plain_text fields, topics, web pages and reports. slack_sdk has no helper for this.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_TOKEN = re.compile(r"<([^<>\n]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_USER = re.compile(r"@([UW][A-Z0-9]+)(?:\|[^>]*)?")
_CHANNEL = re.compile(r"#([CG][A-Z0-9]+)(?:\|([^>]*))?")
_SPECIAL = re.compile(r"!(here|channel|everyone)(?:\|[^>]*)?")
_SUBTEAM = re.compile(r"!subteam\^([A-Z0-9]+)(?:\|([^>]*))?")
_DATE = re.compile(r"(!date\^\d+\^[^|>^]*)(?:\^([^|>]*))?\|([^>]*)")
"""A date (``<!date^1700000000^{time}|09:00>``) and its optional link: a date's text can link anywhere."""
_LINK = re.compile(r"((?:https?|mailto):[^|\s]+)(?:\|(.*))?", re.DOTALL)


def _escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as entities; an entity already there (Slack escaped it) stays one."""
    parts = _ENTITY.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:  # the name of an entity that was already escaped
            out.append(f"&{part};")
        else:
            out.append(part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    return "".join(out)


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _convert(text: str, token: Callable[[str], str | None], literal: Callable[[str], str]) -> str:
    """Walk ``text``: each ``<…>`` goes through ``token`` (None: show it literally), the rest through ``literal``."""
    out, last = [], 0
    for match in _TOKEN.finditer(text):
        out.append(literal(text[last:match.start()]))
        kept = token(match[1])
        out.append(kept if kept is not None else literal(match[0]))
        last = match.end()
    out.append(literal(text[last:]))
    return "".join(out)


def mrkdwn(text: str | None) -> str:
    """``text`` as Slack mrkdwn that pings nobody it should not and hides no link."""
    if not text:
        return ""

    def token(inner: str) -> str | None:
        if m := _USER.fullmatch(inner):
            return f"<@{m[1]}>"
        if m := _CHANNEL.fullmatch(inner):
            return f"<#{m[1]}>"
        if m := _SPECIAL.fullmatch(inner):
            return f"@{m[1]}"
        if m := _SUBTEAM.fullmatch(inner):
            return _escape(m[2] or f"@{m[1]}")
        if m := _DATE.fullmatch(inner):
            return f"<{m[1]}|{m[3]}>" + (f" ({_escape(m[2])})" if m[2] else "")
        if m := _LINK.fullmatch(inner):
            return f"<{m[1]}>" if not m[2] else f"{_escape(m[2])} (<{m[1]}>)"
        return None

    return _convert(text, token, _escape)


def plain(text: str | None, names: Callable[[str], str] | None = None) -> str:
    """``text`` as words, for plain_text fields, topics, web pages and reports: a mention is the
    person's name when ``names`` knows it (``@U123`` otherwise), a masked link shows its address."""
    if not text:
        return ""
    if "<" not in text and "&" not in text:
        return text  # no markup at all: most lines of a long report
    name = names or (lambda user: f"@{user}")

    def token(inner: str) -> str | None:
        if m := _USER.fullmatch(inner):
            return name(m[1])
        if m := _CHANNEL.fullmatch(inner):
            return f"#{m[2] or m[1]}"
        if m := _SPECIAL.fullmatch(inner):
            return f"@{m[1]}"
        if m := _SUBTEAM.fullmatch(inner):
            return _unescape(m[2] or f"@{m[1]}")
        if m := _DATE.fullmatch(inner):
            return _unescape(m[3]) + (f" ({m[2]})" if m[2] else "")
        if m := _LINK.fullmatch(inner):
            return m[1] if not m[2] else f"{_unescape(m[2])} ({m[1]})"
        return None

    return _convert(text, token, _unescape)
