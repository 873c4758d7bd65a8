"""The retro's charts, drawn by matplotlib (its object API and the Agg canvas: no pyplot state, safe
in threads): pages per day stacked by severity, and each service's four-week rolling uptime."""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from bot.retro.figures import PersonPages
from bot.retro.service import Weekly

# Colour-blind-safe (Okabe-Ito), most severe first; readable on a light and a dark page.
SEVERITY_COLOURS = ["#D55E00", "#E69F00", "#0072B2", "#56B4E9", "#009E73", "#CC79A7", "#999999"]
SERVICE_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#999999"]
INK = "#6b7280"  # a grey that reads on white and on near-black alike


PHONE = (4.2, 9.0)
"""A chart for a phone's width (about 390 CSS pixels): narrower, taller, the same labels legible."""


def retro_chart(weekly: Weekly, severities: list[str], fmt: str = "png", *, names: Mapping[str, str] | None = None,
                size: tuple[float, float] | None = None) -> bytes:
    """The panels in one image (the digest's attachment; the web page's figure): pages per day, rolling
    uptime and, given ``names``, the last week's pages by person, labelled by name. Drawn once per
    distinct picture (``Shown``): a chart costs matplotlib 0.3-0.9 s of CPU, and the stats page asks
    for two at each view, the same until a page, an incident or a name changes."""
    return _draw(Shown.of(weekly, severities, fmt, names, size))


@dataclass(frozen=True)
class Shown:
    """Everything a chart shows and nothing else, so that equal values draw equal pictures: the drawing
    reads only this (no ``Weekly``), and it is the cache's key."""

    pages_per_day: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]  # day, (severity, pages) in order
    weeks: tuple[str, ...]  # week labels, oldest first
    rolling_uptime: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]  # service, (week label, uptime)
    people: tuple[tuple[str, int, int], ...] | None  # the last week's (label, pages, out of hours); None: no panel
    severities: tuple[str, ...]
    fmt: str
    size: tuple[float, float] | None

    @classmethod
    def of(cls, weekly: Weekly, severities: list[str], fmt: str, names: Mapping[str, str] | None,
           size: tuple[float, float] | None) -> Shown:
        people = None if names is None else tuple(
            (names.get(p.user_id, p.user_id), p.pages, p.out_of_hours) for p in _last_week_people(weekly))
        return cls(tuple((day, tuple(counts.items())) for day, counts in weekly.pages_per_day.items()),
                   tuple(week.label for week in weekly.weeks),
                   tuple((service, tuple(values.items())) for service, values in weekly.rolling_uptime.items()),
                   people, tuple(severities), fmt, size)


@functools.lru_cache(maxsize=16)  # a stats page's two sizes for a few periods; the digest's
def _draw(shown: Shown) -> bytes:
    from matplotlib.figure import Figure  # here, not at import: it costs every process a second at start

    people = shown.people or ()
    width, height = shown.size or (10, 7)
    figure = Figure(figsize=(width, height + (0.45 * len(people) + 1 if people else 0)), dpi=110, layout="constrained")
    figure.patch.set_alpha(0)
    panels = figure.subplots(3 if people else 2, 1, height_ratios=[3, 3, 0.45 * len(people) + 0.8] if people else None)
    narrow = shown.size is not None
    _pages_per_day(panels[0], {day: dict(counts) for day, counts in shown.pages_per_day}, shown.severities, narrow)
    _rolling_uptime(panels[1], shown.weeks, {service: dict(values) for service, values in shown.rolling_uptime}, narrow)
    if people:
        _pages_by_person(panels[2], shown.weeks[-1], people, as_text=shown.fmt == "svg", narrow=narrow)
    buffer = io.BytesIO()
    with _svg_text_as_text():
        figure.savefig(buffer, format=shown.fmt, metadata={"Software": None} if shown.fmt == "png" else {"Date": None})
    return buffer.getvalue()


def _style(axes, title: str, narrow: bool = False) -> None:
    """A panel's look; on a phone the labels are larger (the image is shown near its drawn size)."""
    axes.set_title(title, loc="left", color=INK, fontsize=13 if narrow else 12, fontweight="bold")
    axes.set_facecolor("none")
    axes.tick_params(colors=INK, labelsize=11 if narrow else 9)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(INK)
    axes.grid(axis="y", color=INK, alpha=0.25, linewidth=0.6)
    axes.set_axisbelow(True)


def _pages_per_day(axes, pages_per_day: dict[str, dict[str, int]], severities: tuple[str, ...], narrow: bool) -> None:
    _style(axes, "Pages per day" if narrow else "Pages per day, by severity", narrow)
    days = list(pages_per_day)
    bottom = [0] * len(days)
    seen = [s for s in severities if any(pages_per_day[d].get(s) for d in days)]
    others = sorted({s for d in days for s in pages_per_day[d]} - set(severities))
    for index, severity in enumerate(seen + others):
        values = [pages_per_day[d].get(severity, 0) for d in days]
        axes.bar(range(len(days)), values, bottom=bottom, label=severity, width=0.8,
                 color=SEVERITY_COLOURS[index % len(SEVERITY_COLOURS)])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = -(-len(days) // (4 if narrow else 10))  # at most ten dates under the bars (four on a phone)
    axes.set_xticks(range(0, len(days), step), [_day(d) for d in days[::step]])
    if not narrow:
        axes.set_ylabel("pages", color=INK)
    axes.yaxis.get_major_locator().set_params(integer=True)
    if seen or others:
        axes.legend(frameon=False, labelcolor=INK, fontsize=11 if narrow else 9,
                    ncols=min(len(seen + others), 2 if narrow else 8),
                    loc="upper left")
    else:
        axes.text(0.5, 0.5, "nobody was paged", transform=axes.transAxes, ha="center", color=INK)
        axes.set_ylim(0, 1)


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d %b").lstrip("0")


def _rolling_uptime(axes, labels: tuple[str, ...], rolling_uptime: dict[str, dict[str, float]], narrow: bool) -> None:
    _style(axes, "Uptime, 4-week rolling" if narrow else "Uptime, four-week rolling average", narrow)
    names = [f"Week {label.split('-W')[1].lstrip('0')}" for label in labels]
    lowest = 100.0
    for index, (service, values) in enumerate(rolling_uptime.items()):
        series = [values.get(label, 100.0) for label in labels]
        lowest = min(lowest, *series)
        colour = SERVICE_COLOURS[index % len(SERVICE_COLOURS)]
        axes.plot(range(len(labels)), series, marker="o", color=colour, linewidth=2,
                  label=f"{service}: {names[-1]}: {series[-1]:.2f}%" if labels else service)
    step = -(-len(labels) // (4 if narrow else 12)) or 1
    axes.set_xticks(range(0, len(labels), step), names[::step])
    margin = max((100 - lowest) * 0.15, 0.05)
    axes.set_ylim(lowest - margin, 100 + margin)
    axes.yaxis.set_major_formatter(lambda value, _: f"{value:.2f}%")
    if rolling_uptime:
        axes.legend(frameon=False, labelcolor=INK, fontsize=10 if narrow else 9, loc="lower left")


def _last_week_people(weekly: Weekly) -> list[PersonPages]:
    if not weekly.weeks:
        return []
    return sorted(weekly.people.get(weekly.weeks[-1].label, []), key=lambda p: (p.pages, p.out_of_hours))[-10:]


def _pages_by_person(axes, week: str, people: tuple[tuple[str, int, int], ...], as_text: bool, narrow: bool) -> None:
    number = week.split('-W')[1].lstrip('0')
    _style(axes, f"Pager, Week {number}" if narrow else f"Who carried the pager, Week {number}", narrow)
    rows = range(len(people))
    in_hours = [pages - out_of_hours for _, pages, out_of_hours in people]
    axes.barh(rows, in_hours, color=SERVICE_COLOURS[0], label="in hours", height=0.6)
    axes.barh(rows, [out_of_hours for *_, out_of_hours in people], left=in_hours,
              color=SEVERITY_COLOURS[0], label="out of hours", height=0.6)
    axes.set_ylim(-0.6, len(people) - 0.4)
    labels = [label for label, *_ in people]
    axes.set_yticks(list(rows), labels if as_text else [drawable(label) for label in labels])
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.grid(axis="x", color=INK, alpha=0.25, linewidth=0.6)
    axes.grid(axis="y", visible=False)
    axes.set_xlabel("pages: blue in hours, orange out of hours", color=INK, fontsize=10 if narrow else 9)


def drawable(name: str) -> str:
    """``name`` as the chart's font can draw it: a name in a script the font lacks (李嘉欣 with DejaVu Sans)
    is transliterated (Li Jia Xin), not drawn as empty boxes."""
    font = _font()
    if all(c.isspace() or font.get_char_index(ord(c)) for c in name):
        return name
    from text_unidecode import unidecode  # python-slugify's transliteration

    return " ".join(unidecode(name).split()) or name


_FONTS: list = []


def _font():
    if not _FONTS:
        from matplotlib import font_manager
        from matplotlib.ft2font import FT2Font

        _FONTS.append(FT2Font(font_manager.findfont(font_manager.FontProperties())))
    return _FONTS[0]


@contextmanager
def _svg_text_as_text():
    """SVG keeps its labels as text (the browser draws them with the page's fonts, any script), so
    matplotlib's font lacking a glyph (it only measures the text) is no matter."""
    import warnings

    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none"}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        yield
