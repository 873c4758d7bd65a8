"""Whom the pages will name soon, so that the directory knows them before the first view.

The directory asks Slack for a person the first time a page names them, and that page shows the
bare id. Asking ahead, from the worker, for everyone the rows already name (recent incidents'
declarers, roles and acknowledgers, recent pages, overrides and time off ahead) and for the
schedules' members leaves the id only for someone who appeared in the last few minutes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, select, union
from sqlalchemy.orm import Session

from bot.config import IncidentConfig
from bot.core.people import is_user
from models import Incident, Override, PageNotification, RoleAssignment, TimeOff

RECENT = timedelta(days=30)
"""How far back the rows' people are looked up ahead (the console's default listings and the retro)."""
EVERY_SECONDS = 300
"""How often the worker asks ahead; the look-ups themselves keep to their share of Slack's budget."""


def named_soon(session: Session, config: IncidentConfig, now: datetime) -> list[str]:
    """Every Slack user id the rows and the schedules name, sorted."""
    since = now - RECENT
    queries: list[Select] = [
        select(Incident.declared_by).where(Incident.declared_at >= since),
        select(Incident.acknowledged_by).where(Incident.declared_at >= since),
        select(RoleAssignment.user_id).join(Incident).where(Incident.declared_at >= since),
        select(PageNotification.user_id).where(PageNotification.created_at >= since),
        select(Override.user_id).where(Override.ends_at >= now),
        select(TimeOff.user_id).where(TimeOff.ends_at >= now, TimeOff.cancelled_at.is_(None)),
    ]
    found = set(session.scalars(union(*queries)))
    for schedule in config.schedules.values():
        for layer in schedule.as_layers():
            found.update(layer.members)
    return sorted(user for user in found if user and is_user(user))
