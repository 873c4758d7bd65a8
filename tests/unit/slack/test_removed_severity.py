"""An incident whose severity was since removed from the file still lists (``/incident list``), last
of the open ones, as the console sorts it: one rule for rank and label (``IncidentConfig.rank``)."""

from datetime import datetime, timezone

from bot.config import IncidentConfig
from bot.slack.blocks.common import Rendering
from bot.slack.blocks.incidents import incident_list_message
from models import Incident

AT = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def _incident(number: int, severity: str) -> Incident:
    return Incident(id=number, severity=severity, title=f"Outage {number}", status="investigating", declared_at=AT,
                    roles=[])


def test_a_removed_severity_lists_last_with_its_name_for_a_label():
    config = IncidentConfig()
    incidents = sorted([_incident(1, "sev9"), _incident(2, "sev2")], key=lambda i: config.rank(i.severity))
    text = incident_list_message(incidents, Rendering(config, "https://incidents.example.com")).text
    assert text.index("*INC-2* SEV2 (Major)") < text.index("*INC-1* SEV9 (sev9)")
