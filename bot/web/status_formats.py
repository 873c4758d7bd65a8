"""The status page in its three formats: the HTML page, JSON shaped like Statuspage's
``summary.json``, and an Atom feed with one entry per incident. HTML and Atom come from templates."""

from __future__ import annotations

import json
from datetime import datetime

from bot.status.page import MaintenanceView, PublicIncidentView, StatusPage
from bot.status.states import ComponentState
from bot.web.pages import Pages
from bot.web.status_cache import Renderer

INDICATOR = {ComponentState.OPERATIONAL: "none", ComponentState.DEGRADED_PERFORMANCE: "minor",
             ComponentState.PARTIAL_OUTAGE: "major", ComponentState.MAJOR_OUTAGE: "critical"}
"""Statuspage's ``status.indicator`` and an incident's ``impact`` for a state."""


def status_formats(pages: Pages, public_url: str) -> dict[str, Renderer]:
    def html(page: StatusPage) -> tuple[bytes, str]:
        return pages.render_text("status.html", page=page).encode(), "text/html; charset=utf-8"

    def atom(page: StatusPage) -> tuple[bytes, str]:
        entries = sorted([*page.active, *(i for day in page.past for i in day.incidents)],
                         key=lambda incident: incident.updated_at, reverse=True)
        return (pages.render_text("status_feed.xml", page=page, entries=entries).encode(),
                "application/atom+xml; charset=utf-8")

    def summary(page: StatusPage) -> tuple[bytes, str]:
        return json.dumps(summary_json(page, public_url), ensure_ascii=False).encode(), "application/json"

    return {"html": html, "atom": atom, "json": summary}


def summary_json(page: StatusPage, public_url: str) -> dict:
    url = f"{public_url}/status"
    return {
        "page": {"id": "status", "name": page.title, "url": url, "time_zone": page.timezone,
                 "updated_at": _iso(page.updated_at or page.generated_at)},
        "status": {"indicator": INDICATOR[page.state], "description": page.headline},
        "components": [{"id": _slug(c.name), "name": c.name, "status": c.state.value, "position": position}
                       for position, c in enumerate(page.components, 1)],
        "incidents": [_incident(incident, url) for incident in page.active],
        "scheduled_maintenances": [_maintenance(m, url) for m in page.maintenances],
    }


def _maintenance(window: MaintenanceView, url: str) -> dict:
    """Statuspage's scheduled maintenance: its states scheduled, in_progress, completed."""
    started = window.scheduled_for if window.status != "scheduled" else None
    return {
        "id": f"maintenance-{window.id}", "name": window.name, "status": window.status, "impact": "maintenance",
        "shortlink": f"{url}#maintenance-{window.id}", "created_at": _iso(window.created_at),
        "updated_at": _iso(window.created_at), "started_at": _iso(started),
        "resolved_at": _iso(window.scheduled_until if window.status == "completed" else None),
        "scheduled_for": _iso(window.scheduled_for), "scheduled_until": _iso(window.scheduled_until),
        "components": [{"id": _slug(name), "name": name, "status": "under_maintenance"} for name in window.components],
        "incident_updates": [],
    }


def _incident(incident: PublicIncidentView, url: str) -> dict:
    return {
        "id": str(incident.id), "name": incident.title, "status": incident.status.value,
        "impact": INDICATOR[incident.impact], "shortlink": f"{url}#incident-{incident.id}",
        "created_at": _iso(incident.started_at), "started_at": _iso(incident.started_at),
        "updated_at": _iso(incident.updated_at), "resolved_at": _iso(incident.resolved_at),
        "components": [{"id": _slug(name), "name": name, "status": state.value}
                       for name, state in incident.components.items()],
        "incident_updates": [{"id": str(u.id), "incident_id": str(incident.id), "status": u.status.value,
                              "body": u.text, "created_at": _iso(u.at), "display_at": _iso(u.at)}
                             for u in incident.updates],
    }


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-") or "component"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
