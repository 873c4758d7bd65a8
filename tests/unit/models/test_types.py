from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from models import Base, Incident


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session


def test_times_come_back_aware_utc_even_on_sqlite(session):
    rome = timezone(timedelta(hours=1))
    session.add(Incident(title="t", severity="sev1", declared_by="U1", declared_at=datetime(2026, 3, 29, 3, 0, tzinfo=rome),
                         invited_users=[]))
    session.commit()
    session.expunge_all()
    declared = session.scalar(select(Incident.declared_at))
    assert declared == datetime(2026, 3, 29, 2, 0, tzinfo=timezone.utc)
    assert declared.tzinfo is timezone.utc


def test_naive_times_are_refused(session):
    session.add(Incident(title="t", severity="sev1", declared_by="U1", declared_at=datetime(2026, 3, 29, 3, 0), invited_users=[]))
    with pytest.raises(Exception, match="naive datetime"):
        session.commit()
