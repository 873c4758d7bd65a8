"""Rules about the two roles that the renderer and the services both need."""

from bot.config import IncidentConfig
from models import Incident, Role


def comms_lead_wanted(incident: Incident, config: IncidentConfig) -> bool:
    """True while a severity that wants a separate Communication Lead has none (or only the commander)."""
    if not incident.is_open or not config.severity(incident.severity).separate_comms_lead:
        return False
    comms = incident.holder(Role.COMMS_LEAD)
    return comms is None or comms == incident.holder(Role.COMMANDER)
