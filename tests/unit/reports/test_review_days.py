"""When a review is due: business days by severity, from the configuration."""

from datetime import date
from pathlib import Path

import pytest

from bot.config import BusinessHoursConfig, ConfigError, IncidentConfig, load_config
from bot.reports.review import add_business_days

FRIDAY = date(2026, 11, 27)


def test_business_days_skip_the_weekend_and_follow_the_configured_days():
    assert add_business_days(BusinessHoursConfig(), FRIDAY, 1) == date(2026, 11, 30)
    assert add_business_days(BusinessHoursConfig(), FRIDAY, 3) == date(2026, 12, 2)
    assert add_business_days(BusinessHoursConfig(), date(2026, 11, 28), 1) == date(2026, 11, 30), "from a Saturday"
    assert add_business_days(BusinessHoursConfig(days="mon-sat"), FRIDAY, 1) == date(2026, 11, 28)


def test_reviews_default_to_sev1_and_sev2_and_optional_means_none():
    assert [IncidentConfig().review_days(s) for s in ("sev1", "sev2", "sev3")] == [3, 5, None]
    config = IncidentConfig.model_validate({"reviews": {"sev1": 2, "sev3": "optional"}})
    assert [config.review_days(s) for s in ("sev1", "sev2", "sev3")] == [2, None, None]


@pytest.mark.parametrize("text, problem", [
    ('reviews: {sev1: "3 business days"}', 'reviews.sev1: "3 business days" is not a number of business days; use 3'),
    ("reviews: {sev1: 0}", "reviews.sev1: 0 is not a number of business days; use a whole number such as 3, or optional"),
    ("reviews: {sev9: 3}", 'reviews.sev9: "sev9" is not a configured severity; expected one of sev1, sev2, sev3, sev4'),
    ("reports: {blameless: maybe}", 'reports.blameless: "maybe" is not true or false'),
])
def test_mistakes_name_the_key(tmp_path: Path, text, problem):
    path = tmp_path / "incidents.yaml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == f"{path}: {problem}"
