"""The retro chart labels people by name: as text in the web page's SVG (the browser draws any script),
transliterated in the digest's PNG where its font has no glyph for the name."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.retro.charts import PHONE, drawable, retro_chart
from bot.retro.figures import PersonPages
from bot.retro.periods import Bucket
from bot.retro.service import Weekly


def weekly() -> Weekly:
    week = Bucket("2026-W44", datetime(2026, 10, 26, tzinfo=timezone.utc), datetime(2026, 11, 2, tzinfo=timezone.utc))
    return Weekly(period=None, service=None, weeks=[week], incidents={},
                  people={"2026-W44": [PersonPages("U02BOB", 3, 2), PersonPages("U03CAROL", 1, 1)]},
                  rolling_uptime={}, daily_uptime={}, pages_per_day={"2026-10-26": {"sev1": 2}, "2026-10-27": {"sev2": 2}})


def test_a_name_the_font_cannot_draw_is_transliterated_and_one_it_can_stays():
    assert drawable("李嘉欣") == "Li Jia Xin"
    assert drawable("Борис Петров") == "Борис Петров"  # DejaVu Sans has Cyrillic
    assert drawable("Dave O'Brien-Núñez") == "Dave O'Brien-Núñez"


def test_the_svg_names_people_as_text_and_the_png_draws():
    names = {"U02BOB": "Борис Петров", "U03CAROL": "李嘉欣"}
    svg = retro_chart(weekly(), ["sev1", "sev2"], fmt="svg", names=names).decode()
    assert "Борис Петров" in svg and "李嘉欣" in svg and "U02BOB" not in svg
    phone = retro_chart(weekly(), ["sev1", "sev2"], fmt="svg", names=names, size=PHONE).decode()
    assert '<svg' in phone and 'width="302.4pt"' in phone, "drawn for a phone's width: 4.2 in, not 10"
    assert retro_chart(weekly(), ["sev1", "sev2"], names=names).startswith(b"\x89PNG")


def test_a_picture_is_drawn_once_until_what_it_shows_changes():
    """The stats page asks for two charts at each view: the same figures are not drawn again, and any
    change a chart shows (a page more, a name learnt) draws it anew."""
    from dataclasses import replace

    from bot.retro.charts import _draw

    names = {"U02BOB": "Bob"}
    first = retro_chart(weekly(), ["sev1", "sev2"], fmt="svg", names=names)
    drawn = _draw.cache_info().misses
    assert retro_chart(weekly(), ["sev1", "sev2"], fmt="svg", names=dict(names)) is first
    assert _draw.cache_info().misses == drawn

    more = replace(weekly(), pages_per_day={"2026-10-26": {"sev1": 3}, "2026-10-27": {"sev2": 2}})
    named = retro_chart(weekly(), ["sev1", "sev2"], fmt="svg", names={**names, "U03CAROL": "Carol"})
    assert retro_chart(more, ["sev1", "sev2"], fmt="svg", names=names) != first
    assert "Carol" in named.decode() and "Carol" not in first.decode()
    assert _draw.cache_info().misses == drawn + 2
