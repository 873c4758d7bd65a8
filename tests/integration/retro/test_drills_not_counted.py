"""A drill counts nowhere in the retro: not in a figure, the people paged, the downtime, the weekly
digest's weeks or either CSV export, on the fixed history with a drill added in week 44."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bot.config import IncidentConfig
from bot.core.clock import ManualClock
from bot.retro.service import RetroService
from models import Incident, Page, PageNotification
from tests.integration.retro.history import BOB, CAROL, CONFIG, NOW, at, build

DRILL = 7


@pytest.fixture
def retro(engine):
    with Session(engine) as session:
        build(session)
        session.commit()
    return RetroService(sessionmaker(engine), IncidentConfig.model_validate(CONFIG), ManualClock(NOW))


def everything(retro: RetroService) -> tuple:
    """What the retro shows anywhere: the digest's weeks, the stats headline, both exports."""
    csv = tuple("".join(retro.csv(kind, "2026-10-19", "2026-11-05")) for kind in ("incidents", "pages"))
    return retro.digest(date(2026, 10, 26)), retro.headline("since 2026-10-19"), csv


def add_drill(engine, drill: bool) -> None:
    """A sev1 rehearsal of checkout in week 44: declared, Carol paged out of hours, acknowledged after 4 minutes."""
    with Session(engine) as session:
        session.add(Incident(id=DRILL, title="Checkout failover drill", severity="sev1", service="checkout",
                             declared_by=BOB, declared_at=at(10, 29, 1), status="resolved", drill=drill,
                             acknowledged_by=CAROL, acknowledged_at=at(10, 29, 1, 4), resolved_at=at(10, 29, 2),
                             invited_users=[]))
        session.flush()
        page = Page(incident_id=DRILL, user_id=CAROL, reason="drill", cause="drill", state="acknowledged", level=0,
                    cycle=0, started_at=at(10, 29, 1), starts_at=at(10, 29, 1), acknowledged_by=CAROL,
                    acknowledged_at=at(10, 29, 1, 4))
        session.add(page)
        session.flush()
        session.add(PageNotification(page_id=page.id, user_id=CAROL, level=0, target=f"<@{CAROL}>", renotify=False,
                                     created_at=at(10, 29, 1), sent_at=at(10, 29, 1), out_of_hours=True))
        session.commit()


def test_a_drill_changes_no_figure_digest_or_export(retro, engine):
    before = everything(retro)
    add_drill(engine, drill=True)
    assert everything(retro) == before


def test_the_same_incident_not_a_drill_would_change_them(retro, engine):
    """The check above is not vacuous: the very rows, as a real incident, move every part."""
    before = everything(retro)
    add_drill(engine, drill=True)
    with Session(engine) as session:
        session.execute(update(Incident).where(Incident.id == DRILL).values(drill=False))
        session.commit()
    after = everything(retro)
    digest, headline, (incidents, pages) = after
    assert digest.week("2026-W44").declared == before[0].week("2026-W44").declared + 1
    assert headline != before[1]
    assert "Checkout failover drill" in incidents and "Checkout failover drill" not in before[2][0]
    assert pages.count("\r\n") == before[2][1].count("\r\n") + 1
