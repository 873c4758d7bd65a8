"""Reading a severity or a service as people and alerts write it, and showing one since removed."""

import pytest

from bot.config import IncidentConfig

CONFIG = IncidentConfig(services={"checkout": {}, "payments": {}})  # sev1 Critical … sev4 Low


@pytest.mark.parametrize("written, meant", [
    ("sev1", "sev1"), ("SEV2", "sev2"), (" sev3 ", "sev3"), ("Critical", "sev1"), ("major", "sev2"),
    ("LOW", "sev4"), ("sev9", None), ("", None), ("crit", None),
])
def test_a_severity_is_named_by_its_name_or_its_label(written, meant):
    assert CONFIG.severity_named(written) == meant


def test_the_severity_level_reads_labels_too_and_names_the_choices_otherwise():
    assert CONFIG.severity("Critical") is CONFIG.severities["sev1"]
    with pytest.raises(ValueError, match='^"sev9" is not a severity; use one of sev1, sev2, sev3, sev4$'):
        CONFIG.severity("sev9")


def test_a_severity_removed_from_the_file_still_shows_and_sorts_last():
    assert CONFIG.severity_label("sev1") == "Critical"
    assert CONFIG.severity_label("sev9") == "sev9"
    assert CONFIG.severity_described("sev2") == "sev2 (Major)"
    assert CONFIG.severity_described("sev9") == "sev9"
    assert [CONFIG.rank(name) for name in ("sev1", "SEV4", "sev9")] == [0, 3, CONFIG.unranked]
    assert CONFIG.unranked == 4
    assert sorted(["sev9", "sev3", "sev1"], key=CONFIG.rank) == ["sev1", "sev3", "sev9"]
    assert not CONFIG.is_downgrade("sev9", "sev2")  # from a removed severity, any configured one is a raise


@pytest.mark.parametrize("written, meant", [
    ("checkout", "checkout"), ("Checkout", "checkout"), (" PAYMENTS ", "payments"), ("search", None), ("", None),
])
def test_a_service_is_kept_by_its_lowercase_name(written, meant):
    assert CONFIG.service_named(written) == meant
    assert (CONFIG.service(written) is not None) == (meant is not None)
