"""What the people directory should show for the test workspace's people, and checks that a page,
a file or a message names them and leaves no bare Slack id."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.conftest import GONE, GONE_PROFILE, PROFILES

NAMES = {user: profile["real_name"] for user, profile in PROFILES.items()} | {GONE: GONE_PROFILE["real_name"]}
BARE_ID = re.compile(r"(?<![A-Za-z0-9])[UW][A-Z0-9]{5,}(?![A-Za-z0-9])")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        self._skip += tag in ("script", "style")
        self.parts += [value for name, value in attrs if name in ("title", "alt") and value]

    def handle_endtag(self, tag) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    """What a reader sees of a page: its text, titles and alt texts."""
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def bare_ids(text: str) -> list[str]:
    return BARE_ID.findall(text)


def assert_named(text: str, users) -> None:
    """Each of ``users`` by name, and no Slack user id left for a reader."""
    missing = [user for user in users if NAMES[user] not in text]
    assert missing == [], f"not named: {missing}"
    assert bare_ids(text) == [], f"bare ids: {bare_ids(text)}"


def read_twice(bot, get):
    """``get()`` once (its people are looked up in the background), again once they are in."""
    get()
    bot.settle()
    return get()
