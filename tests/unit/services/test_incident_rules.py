"""The rules of ``IncidentService``, called directly: what a declaration needs, who holds which
role, which moves an incident's status allows. (End to end through Slack: tests/integration/incidents.)"""

from datetime import timedelta

import pytest

from bot.core.errors import InvalidTransition
from models import Role, Status
from models.incident import TITLE_LENGTH
from tests.unit.services.conftest import ALICE, BOB, CAROL, refused


def test_a_declaration_needs_a_title_of_bounded_length(domain):
    assert refused(lambda: domain.declare("   "), field="title") == "An incident needs a title."
    long = "x" * (TITLE_LENGTH + 1)
    assert refused(lambda: domain.declare(long), field="title").startswith(f"The title is {TITLE_LENGTH + 1} characters long")


def test_a_declaration_names_a_known_severity_and_service(domain):
    assert refused(lambda: domain.declare(severity="SEV9"), field="severity") == \
        "Unknown severity SEV9; use one of sev1, sev2, sev3, sev4."
    assert refused(lambda: domain.declare(service="billing"), field="service") == \
        "Unknown service billing; known services: checkout, search."
    assert domain.declare(severity=" SEV1 ").severity == "sev1", "a severity is read without case or spaces"


def test_the_declarer_commands_and_talks_unless_the_severity_wants_two_people(domain):
    minor = domain.declare(severity="sev3")
    assert (minor.holder(Role.COMMANDER), minor.holder(Role.COMMS_LEAD)) == (ALICE, ALICE)
    major = domain.declare(severity="sev2")
    assert (major.holder(Role.COMMANDER), major.holder(Role.COMMS_LEAD)) == (ALICE, None)
    with pytest.raises(InvalidTransition, match="needs a Communication Lead other than the Incident Commander"):
        domain.incidents.assign_role(major.id, Role.COMMS_LEAD, ALICE, ALICE)


def test_the_first_update_is_due_one_interval_after_the_declaration(domain):
    incident = domain.declare(severity="sev2")
    assert incident.update_due_at == domain.clock.now() + domain.config.severity("sev2").update_every


def test_an_acknowledgement_is_recorded_once(domain):
    incident = domain.declare()
    domain.clock.advance(timedelta(minutes=3))
    acked = domain.incidents.acknowledge(incident.id, BOB)
    assert (acked.acknowledged_by, acked.acknowledged_at) == (BOB, domain.clock.now())
    with pytest.raises(InvalidTransition) as again:
        domain.incidents.acknowledge(incident.id, CAROL)
    assert again.value.message == f"{incident.number} was already acknowledged by <@{BOB}>."


def test_taking_a_held_role_is_refused_with_how_to_get_it(domain):
    incident = domain.declare(severity="sev3")
    with pytest.raises(InvalidTransition) as taken:
        domain.incidents.assign_role(incident.id, Role.COMMANDER, BOB, BOB, only_if_open=True)
    assert taken.value.message == (f"<@{ALICE}> is already the Incident Commander of {incident.number}; "
                                   f"they can hand it to you with /incident ic <@{BOB}>.")
    handed = domain.incidents.assign_role(incident.id, Role.COMMANDER, BOB, ALICE)
    assert handed.holder(Role.COMMANDER) == BOB


def test_status_moves(domain):
    incident = domain.declare()
    assert refused(lambda: domain.incidents.set_status(incident.id, "fixed-ish", ALICE)) == "Unknown status fixed-ish."
    with pytest.raises(InvalidTransition, match="is already investigating"):
        domain.incidents.set_status(incident.id, "investigating", ALICE)
    mitigated = domain.incidents.set_status(incident.id, "mitigated", ALICE)
    assert (mitigated.status, mitigated.mitigated_at) == (Status.MITIGATED, domain.clock.now())
    back = domain.incidents.set_status(incident.id, "investigating", ALICE)
    assert (back.status, back.mitigated_at) == (Status.INVESTIGATING, None), "the mitigation no longer holds"


def test_a_resolved_incident_is_reopened_before_it_changes(domain):
    incident = domain.declare(severity="sev3")
    domain.clock.advance(timedelta(hours=1))
    resolved = domain.incidents.resolve(incident.id, ALICE, "rolled back")
    assert (resolved.status, resolved.resolved_at, resolved.update_due_at) == (Status.RESOLVED, domain.clock.now(), None)
    assert resolved.resolution_summary == "rolled back"
    with pytest.raises(InvalidTransition, match="is already resolved"):
        domain.incidents.resolve(incident.id, ALICE)
    with pytest.raises(InvalidTransition) as refused_change:
        domain.incidents.change_severity(incident.id, "sev1", ALICE)
    assert refused_change.value.message == (f"{incident.number} is resolved; to change its severity, reopen it first "
                                            "with /incident status investigating.")
    reopened = domain.incidents.set_status(incident.id, "investigating", ALICE)
    assert (reopened.status, reopened.resolved_at) == (Status.INVESTIGATING, None)
    assert reopened.update_due_at is not None, "a reopened incident wants updates again"


def test_an_update_never_resolves_and_never_reopens(domain):
    incident = domain.declare()
    assert "An update does not resolve an incident" in refused(
        lambda: domain.incidents.post_update(incident.id, ALICE, "done", "resolved"))
    domain.incidents.resolve(incident.id, ALICE)
    followed, kept_resolved = domain.incidents.post_update(incident.id, ALICE, "root cause found", "investigating")
    assert (followed.status, kept_resolved, followed.latest_update) == (Status.RESOLVED, True, "root cause found")


def test_severity_changes_say_which_way(domain):
    incident = domain.declare(severity="sev3")
    with pytest.raises(InvalidTransition, match="is already sev3"):
        domain.incidents.change_severity(incident.id, "sev3", ALICE)
    raised = domain.incidents.change_severity(incident.id, "sev1", ALICE, "more customers")
    assert raised.severity == "sev1"
    assert raised.events[-1].text.startswith(f"{incident.number} raised from sev3 to sev1 by <@{ALICE}>")
    lowered = domain.incidents.change_severity(incident.id, "sev4", ALICE)
    assert "downgraded from sev1 to sev4" in [e.text for e in lowered.events if e.kind == "severity_changed"][-1]
