"""The rules of ``AlertService``, called directly: a storm is one incident, deduplicated, its
severity the worst alert's, closed as transient when it ends before anyone was paged.
(End to end through the webhooks and a real Alertmanager: tests/integration/alerts.)"""

from datetime import timedelta

from bot.alerts.service import GRACE_OVER, AlertEvent
from models import Status


def alert(key: str, firing: bool = True, **more) -> AlertEvent:
    return AlertEvent(source="webhook", dedup_key=key, firing=firing, title=more.pop("title", f"{key} fires"), **more)


def actions(outcomes) -> list[tuple[str, str | None]]:
    return [(o.action, o.incident) for o in outcomes]


def test_a_firing_alert_declares_a_quiet_incident_with_its_severity_and_service(domain):
    [outcome] = domain.alerts.receive([alert("cpu", severity="Critical", service="Checkout")])
    assert (outcome.action, outcome.incident) == ("declared", "INC-1")
    incident = domain.incidents.get(1)
    assert (incident.severity, incident.service, incident.declared_by) == ("sev1", "checkout", "webhook"), \
        "a severity label matches by name or label, a service by name, without case"
    assert incident.quiet_until == domain.clock.now() + domain.config.alerts.page_delay
    assert [t.due_at for t in domain.timers(incident.id, GRACE_OVER)] == [incident.quiet_until]


def test_an_unknown_severity_or_service_falls_back_instead_of_refusing_the_alert(domain):
    domain.alerts.receive([alert("disk", severity="page-me-now", service="billing")])
    incident = domain.incidents.get(1)
    assert (incident.severity, incident.service) == (domain.config.default_severity, None)


def test_the_same_alert_again_is_the_same_alert(domain):
    domain.alerts.receive([alert("cpu")])
    assert actions(domain.alerts.receive([alert("cpu")])) == [("attached", "INC-1")]
    assert actions(domain.alerts.receive([alert("cpu"), alert("cpu")])) == [("attached", "INC-1")] * 2
    incident = domain.incidents.get(1)
    assert (incident.alerts_firing, incident.alerts_resolved) == (1, 0)


def test_a_storm_of_one_group_or_one_young_service_is_one_incident(domain):
    domain.alerts.receive([alert("a", group="g1")])
    assert actions(domain.alerts.receive([alert("b", group="g1")])) == [("joined", "INC-1")]
    domain.alerts.receive([alert("c", service="search")])
    domain.clock.advance(domain.config.alerts.group_window - timedelta(seconds=1))
    assert actions(domain.alerts.receive([alert("d", service="search")])) == [("joined", "INC-2")]
    domain.clock.advance(timedelta(seconds=2))
    assert actions(domain.alerts.receive([alert("e", service="search")])) == [("declared", "INC-3")], \
        "a service's window counts from the opening"


def test_an_incident_is_as_severe_as_its_worst_alert(domain):
    domain.alerts.receive([alert("a", group="g", severity="sev3")])
    domain.alerts.receive([alert("b", group="g", severity="sev1")])
    assert domain.incidents.get(1).severity == "sev1"
    domain.alerts.receive([alert("c", group="g", severity="sev4")])
    assert domain.incidents.get(1).severity == "sev1", "a milder alert never lowers it"


def test_a_storm_over_before_anyone_was_paged_closes_as_transient(domain):
    domain.alerts.receive([alert("a", group="g"), alert("b", group="g")])
    assert actions(domain.alerts.receive([alert("a", firing=False, group="g")])) == [("resolved", "INC-1")]
    assert domain.incidents.get(1).status != Status.RESOLVED, "one alert still fires"
    assert actions(domain.alerts.receive([alert("b", firing=False, group="g")])) == [("resolved_transient", "INC-1")]
    incident = domain.incidents.get(1)
    assert (incident.status, incident.transient) == (Status.RESOLVED, True)
    assert "closed as transient and nobody was paged" in incident.events[-1].text


def test_a_resolution_of_an_alert_nobody_saw_fire_is_ignored(domain):
    assert actions(domain.alerts.receive([alert("never", firing=False)])) == [("ignored", None)]
    assert domain.incidents.list_open() == []


def test_a_firing_alert_after_its_incident_closed_opens_another(domain):
    domain.alerts.receive([alert("a")])
    domain.incidents.resolve(1, "U01ALICE")
    assert actions(domain.alerts.receive([alert("a")])) == [("declared", "INC-2")]


def test_the_grace_period_over_opens_the_incident_to_everyone(domain):
    domain.alerts.receive([alert("a")])
    [timer] = domain.timers(1, GRACE_OVER)
    domain.clock.set(timer.due_at)
    domain.alerts.fire_grace_over(timer)
    incident = domain.incidents.get(1)
    assert incident.quiet_until is None and incident.events[-1].kind == "alert_still_firing"
