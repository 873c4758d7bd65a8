"""Opening the report's forms (``/incident report edit``, *Edit report*, *Add action item*): the
modal must open within the 3 s of its trigger, so these run on the answer threads; a refusal is
told to the person with the command that does the same."""

from __future__ import annotations

from bot.incidents.service import IncidentService
from bot.reports.report import ReportService
from bot.slack.blocks.report import action_modal, report_modal
from bot.slack.notices import Notices
from models import Role


class ReportForms:
    def __init__(self, reports: ReportService, incidents: IncidentService, notices: Notices) -> None:
        self._reports = reports
        self._incidents = incidents
        self._notices = notices

    def open_report_form(self, trigger_id: str, incident_id: int, user: str, response_url: str | None) -> None:
        self._notices.open_form(trigger_id, report_modal(self._reports.form(incident_id)), "report form",
                                "Use `/incident report edit` in the incident's channel instead.", user, response_url)

    def open_action_form(self, trigger_id: str, incident_id: int, user: str, response_url: str | None) -> None:
        incident = self._incidents.get(incident_id)
        self._notices.open_form(trigger_id, action_modal(incident, incident.holder(Role.COMMANDER)),
                                "action item form", "Use `/incident action <text> [@owner] [p1|p2|p3] [due <date>]` "
                                "in the incident's channel instead.", user, response_url)
