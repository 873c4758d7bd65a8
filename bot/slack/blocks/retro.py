"""The retro's figures in Slack: ``/incident stats`` and the weekly digest."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from bot.core.durations import format_duration
from bot.core.people import mention
from bot.retro.figures import METRICS, IncidentFigures, PersonPages, Spread
from bot.retro.service import Headline
from bot.slack.blocks.common import Message, as_blocks, sections

TITLES = {"acknowledge": "Time to acknowledge", "mitigate": "time to mitigate", "resolve": "time to resolve"}


def stats_url(public_url: str, period: str = "", service: str | None = None) -> str:
    query = urlencode([(k, v) for k, v in (("period", period), ("service", service or "")) if v])
    return f"{public_url}/stats" + (f"?{query}" if query else "")


def duration(seconds: float | None) -> str:
    return "–" if seconds is None else format_duration(timedelta(seconds=round(seconds)))


def spread(values: Spread) -> str:
    if values.median is None:
        return "none yet"
    return f"median {duration(values.median)}, p90 {duration(values.p90)}"


def incident_lines(figures: IncidentFigures) -> list[str]:
    return [f"*Incidents*: {figures.declared} declared · {figures.escalated} escalated past level 1 · "
            f"{figures.transient} transient alert{'' if figures.transient == 1 else 's'} paged nobody",
            " · ".join(f"{TITLES[metric]} {spread(figures.times[metric])}" for metric in METRICS)]


def people_line(people: list[PersonPages], title: str = "Paged most") -> str:
    if not people:
        return f"*{title}*: nobody was paged"
    return f"*{title}*: " + " · ".join(f"{mention(p.user_id)} {p.pages} ({p.out_of_hours} out of hours)"
                                        for p in people)


def uptime_line(uptime: dict[str, float]) -> str:
    if not uptime:
        return "*Uptime*: no service has had an incident"
    return "*Uptime*: " + " · ".join(f"{name} {value:.2f}%" for name, value in uptime.items())


def stats_message(headline: Headline, url: str) -> Message:
    """``/incident stats``: the headline figures of the period, the people paged most, and the web page."""
    scope = f" for *{headline.service}*" if headline.service else ""
    lines = [f":bar_chart: *Retro figures, {headline.period.label}*{scope}",
             *incident_lines(headline.incidents), uptime_line(headline.uptime), people_line(headline.people),
             f"<{url}|Charts, week by week, and the page log>"]
    text = "\n".join(lines)
    return Message(text=text, blocks=as_blocks(*sections(text)))
