"""The retro's charts, drawn by matplotlib (its object API and the Agg canvas: no pyplot state, safe
in threads): pages per day stacked by severity, and each service's four-week rolling uptime."""

from __future__ import annotations

import io
from datetime import date

from bot.retro.service import Weekly

# Colour-blind-safe (Okabe-Ito), most severe first; readable on a light and a dark page.
SEVERITY_COLOURS = ["#D55E00", "#E69F00", "#0072B2", "#56B4E9", "#009E73", "#CC79A7", "#999999"]
SERVICE_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#999999"]
INK = "#6b7280"  # a grey that reads on white and on near-black alike


def retro_chart(weekly: Weekly, severities: list[str], fmt: str = "png") -> bytes:
    """Both panels in one image (the digest's attachment; the web page's figure)."""
    from matplotlib.figure import Figure  # here, not at import: it costs every process a second at start

    figure = Figure(figsize=(10, 7), dpi=110, layout="constrained")
    figure.patch.set_alpha(0)
    pages, uptime = figure.subplots(2, 1)
    _pages_per_day(pages, weekly, severities)
    _rolling_uptime(uptime, weekly)
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, metadata={"Software": None} if fmt == "png" else {"Date": None})
    return buffer.getvalue()


def _style(axes, title: str) -> None:
    axes.set_title(title, loc="left", color=INK, fontsize=12, fontweight="bold")
    axes.set_facecolor("none")
    axes.tick_params(colors=INK, labelsize=9)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(INK)
    axes.grid(axis="y", color=INK, alpha=0.25, linewidth=0.6)
    axes.set_axisbelow(True)


def _pages_per_day(axes, weekly: Weekly, severities: list[str]) -> None:
    _style(axes, "Pages per day, by severity")
    days = list(weekly.pages_per_day)
    bottom = [0] * len(days)
    seen = [s for s in severities if any(weekly.pages_per_day[d].get(s) for d in days)]
    others = sorted({s for d in days for s in weekly.pages_per_day[d]} - set(severities))
    for index, severity in enumerate(seen + others):
        values = [weekly.pages_per_day[d].get(severity, 0) for d in days]
        axes.bar(range(len(days)), values, bottom=bottom, label=severity, width=0.8,
                 color=SEVERITY_COLOURS[index % len(SEVERITY_COLOURS)])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = -(-len(days) // 10)  # at most ten dates under the bars
    axes.set_xticks(range(0, len(days), step), [_day(d) for d in days[::step]])
    axes.set_ylabel("pages", color=INK)
    axes.yaxis.get_major_locator().set_params(integer=True)
    if seen or others:
        axes.legend(frameon=False, labelcolor=INK, fontsize=9, ncols=len(seen + others), loc="upper left")
    else:
        axes.text(0.5, 0.5, "nobody was paged", transform=axes.transAxes, ha="center", color=INK)
        axes.set_ylim(0, 1)


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d %b").lstrip("0")


def _rolling_uptime(axes, weekly: Weekly) -> None:
    _style(axes, "Uptime, four-week rolling average")
    labels = [week.label for week in weekly.weeks]
    names = [f"Week {label.split('-W')[1].lstrip('0')}" for label in labels]
    lowest = 100.0
    for index, (service, values) in enumerate(weekly.rolling_uptime.items()):
        series = [values.get(label, 100.0) for label in labels]
        lowest = min(lowest, *series)
        colour = SERVICE_COLOURS[index % len(SERVICE_COLOURS)]
        axes.plot(range(len(labels)), series, marker="o", color=colour, linewidth=2,
                  label=f"{service}: {names[-1]}: {series[-1]:.2f}%" if labels else service)
    axes.set_xticks(range(len(labels)), names)
    margin = max((100 - lowest) * 0.15, 0.05)
    axes.set_ylim(lowest - margin, 100 + margin)
    axes.yaxis.set_major_formatter(lambda value, _: f"{value:.2f}%")
    if weekly.rolling_uptime:
        axes.legend(frameon=False, labelcolor=INK, fontsize=9, loc="lower left")
