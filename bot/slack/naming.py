"""Channel names that Slack accepts: lowercase letters, digits and ``-``, at most 80 characters.

A title in any script gets a readable name: python-slugify transliterates it to ASCII
(``Оплата не работает`` is ``oplata-ne-rabotaet``, ``Größe`` is ``grosse``) instead of dropping
what is not ASCII; what still is not a letter or digit (emoji) is dropped.
"""

import re

from slugify import slugify as transliterated

MAX_CHANNEL_NAME = 80
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return _NOT_ALLOWED.sub("-", transliterated(text, lowercase=True)).strip("-")


def channel_name(prefix: str, number: int, title: str, attempt: int = 1) -> str:
    """``<prefix>-<number>-<slug>``, with ``-<attempt>`` appended after a ``name_taken``.

    The slug is cut (at a word boundary where possible) so the suffix always fits.
    """
    head = f"{prefix}-{number}"
    tail = "" if attempt <= 1 else f"-{attempt}"
    room = MAX_CHANNEL_NAME - len(head) - len(tail) - 1
    slug = slugify(title)
    if len(slug) > room:
        cut = slug[:room]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[room // 2 :] else cut
        slug = slug.strip("-")
    return f"{head}-{slug}{tail}" if slug else f"{head}{tail}"
