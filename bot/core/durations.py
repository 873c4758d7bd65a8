"""Durations as the configuration file and commands write them: 30s, 15m, 2h, 1d, or 1h30m.

One short form everywhere; when someone writes "15 minutes" the error names the form they meant.
"""

import json
import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator

_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_FORM = re.compile(r"(?:\d+[dhms])+")
_PART = re.compile(r"(\d+)([dhms])")
_WORDED = re.compile(r"(\d+)\s*([a-z]+)")
_UNIT_WORDS = {
    word: word[0]
    for word in "s sec secs second seconds m min mins minute minutes h hr hrs hour hours d day days".split()
}
_HOW = "use a number with s, m, h or d, such as 90s, 15m, 2h"


def parse_duration(text: str) -> timedelta:
    """The timedelta for text; a ValueError whose message says what to write instead."""
    compact = text.strip()
    if _FORM.fullmatch(compact):
        seconds = sum(int(amount) * _UNIT_SECONDS[unit] for amount, unit in _PART.findall(compact))
        if seconds:
            return timedelta(seconds=seconds)
        raise ValueError(f"{_quote(text)} is not a duration; use more than zero, such as 15m")
    raise ValueError(f"{_quote(text)} is not a duration; {_suggestion(text)}")


def _suggestion(text: str) -> str:
    """'use 15m' for '15 minutes', '1 hour and 30 min' and the like; otherwise how the form goes."""
    lowered = text.lower()
    pairs = _WORDED.findall(lowered)
    if (
        pairs
        and all(unit in _UNIT_WORDS for _, unit in pairs)
        and re.fullmatch(r"(?:[\s,]|and)*", _WORDED.sub(" ", lowered))
    ):
        return "use " + "".join(f"{int(amount)}{_UNIT_WORDS[unit]}" for amount, unit in pairs)
    return _HOW


def _quote(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def format_duration(td: timedelta) -> str:
    """The two largest units that matter, for Slack messages: 1h 12m, 45s, 2d 3h."""
    rest = abs(td) // timedelta(seconds=1)
    counts = []
    for unit, size in _UNIT_SECONDS.items():
        amount, rest = divmod(rest, size)
        counts.append((amount, unit))
    first = next((index for index, (amount, _) in enumerate(counts) if amount), len(counts) - 1)
    shown = [f"{amount}{unit}" for amount, unit in counts[first : first + 2] if amount] or ["0s"]
    return ("-" if td <= -timedelta(seconds=1) else "") + " ".join(shown)


def _to_timedelta(value: Any) -> Any:
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, timedelta):
        return value
    raise ValueError(f"{_quote(value)} is not a duration; {_HOW}")


Duration = Annotated[timedelta, BeforeValidator(_to_timedelta)]
"""A pydantic field type: "15m" from a file, or a timedelta from code."""


def _to_offset(value: Any) -> Any:
    """A delay from a start, which may be none: 0m as well as any duration."""
    if isinstance(value, str) and re.fullmatch(r"0+[dhms]?", value.strip()):
        return timedelta(0)
    return _to_timedelta(value)


Offset = Annotated[timedelta, BeforeValidator(_to_offset)]
"""A pydantic field type for "after this long" (0m allowed): a notification rule's step."""
