"""How an incident is named and written in one line: one rule each, for Slack, PagerDuty, SMS and e-mail."""

import pytest

from bot.slack.blocks.common import said
from models import Incident
from models.incident import TITLE_LENGTH, incident_id, incident_number


def test_an_incident_is_numbered_inc_n():
    assert incident_number(12) == "INC-12"
    assert Incident(id=12).number == "INC-12"


@pytest.mark.parametrize("written, bare, meant", [
    ("INC-12", True, 12), ("inc-12", True, 12), (" INC-12 ", True, 12), ("12", True, 12),
    ("12", False, None), ("INC-12", False, 12), ("INC-", True, None), ("INC-x", True, None),
    ("PD-12", True, None), ("INC-1234567890", True, None), ("", True, None),
])
def test_an_incident_reference_is_read_one_way(written, bare, meant):
    assert incident_id(written, bare=bare) == meant


def test_the_title_length_is_the_columns():
    assert Incident.__table__.c.title.type.length == TITLE_LENGTH == 200


def test_an_incident_in_one_line():
    incident = Incident(id=4, severity="sev1", title="Checkout  is\ndown <!channel>")
    assert incident.line() == "INC-4 (sev1): Checkout is down <!channel>"
    assert incident.line(said) == f"INC-4 (sev1): {said('Checkout is down <!channel>')}"
    assert incident.title_line == "Checkout is down <!channel>"
