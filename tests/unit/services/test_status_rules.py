"""The rules of the public status side (``StatusService``), called directly: who may speak to
customers, what a public update needs, what it changes. (End to end: tests/integration/status.)"""

from sqlalchemy.orm import selectinload

from bot.status.states import PublicStatus
from models import PublicIncident, Role
from tests.unit.services.conftest import ALICE, BOB, CAROL, refused


def public_row(domain, incident_id: int) -> PublicIncident:
    with domain.sessions() as session:
        return session.get(PublicIncident, incident_id, options=[selectinload(PublicIncident.updates)])


def test_a_public_update_needs_text_and_at_first_a_title(domain):
    incident = domain.declare()
    assert refused(lambda: domain.status.post(incident.id, ALICE, "  "), field="text").startswith(
        "A public update needs some text")
    assert refused(lambda: domain.status.post(incident.id, ALICE, "Checkout fails"), field="title").startswith(
        "The first public update needs a public title")
    assert not domain.status.has_title(incident.id)
    domain.status.post(incident.id, ALICE, "Checkout fails for some", title="Checkout problems")
    assert domain.status.has_title(incident.id)
    domain.status.post(incident.id, ALICE, "Fixed for most", status="monitoring")  # the title stays
    public = public_row(domain, incident.id)
    assert (public.title, public.status, len(public.updates)) == ("Checkout problems", PublicStatus.MONITORING, 2)


def test_only_the_communication_lead_or_the_commander_speaks_to_customers(domain):
    incident = domain.declare(severity="sev2")  # the declarer commands; no lead yet
    domain.incidents.assign_role(incident.id, Role.COMMS_LEAD, BOB, ALICE)
    message = refused(lambda: domain.status.post(incident.id, CAROL, "Hello", title="Checkout"))
    assert message == (f"Public updates for {incident.number} are written by its Communication Lead or commander "
                       f"(<@{ALICE}> or <@{BOB}>): ask them, or take the role with /incident comms <@{CAROL}>.")
    domain.status.post(incident.id, BOB, "Hello", title="Checkout")
    domain.status.check_speaker(incident.id, ALICE)


def test_a_public_status_and_components_are_ones_the_page_knows(domain):
    incident = domain.declare()
    assert refused(lambda: domain.status.post(incident.id, ALICE, "x", title="t", status="meh"), field="status") \
        .startswith("Unknown public status meh; use one of")
    assert refused(lambda: domain.status.post(incident.id, ALICE, "x", title="t", affected={"Billing": "outage"}),
                   field="components") == "Unknown component Billing; the status page's components are Checkout, Search."
    assert refused(lambda: domain.status.post(incident.id, ALICE, "x", title="t", affected={"Checkout": "on fire"}),
                   field="components").startswith("Unknown component state on fire; use one of")


def test_resolving_the_incident_resolves_its_public_side_in_words_of_its_own(domain):
    incident = domain.declare()
    domain.status.post(incident.id, ALICE, "Checkout fails", title="Checkout problems", affected={"Checkout": "major_outage"})
    domain.incidents.resolve(incident.id, ALICE, "internal: bad deploy of svc-42")
    page = domain.status.page()
    text = repr(page)
    assert "Checkout problems" in text and "bad deploy" not in text
    public = public_row(domain, incident.id)
    assert (public.status, public.resolved_at) == (PublicStatus.RESOLVED, domain.clock.now())
