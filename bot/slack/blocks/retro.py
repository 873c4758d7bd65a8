"""The retro's figures in Slack: ``/incident stats`` and the weekly digest."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import urlencode

from bot.core.durations import format_duration
from bot.core.people import mention
from bot.retro.figures import METRICS, IncidentFigures, PersonPages, Spread
from bot.retro.service import Headline, Weekly
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


def arrow(now: float | None, before: float | None, digits: int = 0) -> str:
    """Up, down or level, as the figures are shown (durations to the second, percentages to 0.01)."""
    if now is None or before is None:
        return ""
    now, before = round(now, digits), round(before, digits)
    return " ↑" if now > before else " ↓" if now < before else " →"


def _week_name(label: str) -> str:
    return f"Week {label.split('-W')[1].lstrip('0')}"


def digest_message(weekly: Weekly, url: str, names: Mapping[str, str] | None = None) -> Message:
    """The weekly digest: the last week's figures against the week before, out-of-hours pages by person."""
    before, week = weekly.weeks[-2], weekly.weeks[-1]
    now, then = weekly.week(week.label), weekly.week(before.label)
    last_day = (week.end - timedelta(hours=12)).date()  # the Sunday, whatever the zone's offset
    lines = [f":bar_chart: *Weekly retro: {_week_name(week.label)}* ({week.start + timedelta(hours=12):%d %b} – "
             f"{last_day:%d %b %Y}), against {_week_name(before.label)}",
             "*Incidents*: " + " · ".join(
                 f"{getattr(now, name)} {what}{arrow(getattr(now, name), getattr(then, name))} ({getattr(then, name)})"
                 for name, what in (("declared", "declared"), ("escalated", "escalated past level 1"),
                                    ("transient", "transient alerts paged nobody")))]
    for metric in METRICS:
        a, b = now.times[metric], then.times[metric]
        lines.append(f"*{TITLES[metric][0].upper()}{TITLES[metric][1:]}*: median {duration(a.median)}"
                     f"{arrow(a.median, b.median)} ({duration(b.median)}), p90 {duration(a.p90)}"
                     f"{arrow(a.p90, b.p90)} ({duration(b.p90)})")
    uptime = [f"{service} {_week_name(week.label)}: {values[week.label]:.2f}%"
              f"{arrow(values[week.label], values[before.label], 2)} ({values[before.label]:.2f}%)"
              for service, values in weekly.rolling_uptime.items()]
    lines.append("*Uptime, four-week rolling*: " + (" · ".join(uptime) or "no service has had an incident"))
    people = [p for p in weekly.people.get(week.label, []) if p.out_of_hours]
    named = names or {}
    lines.append("*Out-of-hours pages*: " + (" · ".join(
        f"{named.get(p.user_id, p.user_id)} {p.out_of_hours} of {p.pages}"
        for p in sorted(people, key=lambda p: -p.out_of_hours))
        or "none"))
    lines.append(f"<{url}|Charts, week by week, and the page log>")
    text = "\n".join(lines)
    return Message(text=text, blocks=as_blocks(*sections(text)))
