"""Addresses people register, checked once so a 4 a.m. page never fails on a typo; rules per person."""

import pytest

from bot.config import IncidentConfig
from bot.core.errors import UserError
from bot.paging.contacts import check_address


@pytest.mark.parametrize("typed, stored", [("+39 347 123 4567", "+393471234567"), ("+1 (415) 555-2671", "+14155552671"),
                                           ("+442071838750", "+442071838750")])
def test_phones_are_stored_in_e164(typed, stored):
    assert check_address("phone", typed) == stored


@pytest.mark.parametrize("typed", ["3471234567", "+39 12", "+1 555", "call me", "+0123456789"])
def test_a_phone_without_country_code_or_impossible_is_refused_naming_e164(typed):
    with pytest.raises(UserError, match=r"international form \(E\.164\).*such as \+393471234567"):
        check_address("phone", typed)


def test_email_and_ntfy_topics():
    assert check_address("email", "<mailto:a@example.com|a@example.com>") == "a@example.com"
    assert check_address("push", "alice_pages-1") == "alice_pages-1"
    for kind, typed in (("email", "a@b"), ("push", "a/b"), ("push", "x" * 65)):
        with pytest.raises(UserError):
            check_address(kind, typed)


def test_rules_are_the_persons_else_everyones():
    config = IncidentConfig.model_validate({
        "notification_rules": [{"after": "0m", "via": "slack"}, {"after": "2m", "via": "sms"}],
        "people": {"U01ALICE": {"notification_rules": [{"after": "0s", "via": "call"}]}}})
    assert [r.via for r in config.rules_for("U01ALICE")] == ["call"]
    assert [(r.via, r.after.seconds) for r in config.rules_for("U02BOB")] == [("slack", 0), ("sms", 120)]
    assert [r.via for r in IncidentConfig().rules_for("U02BOB")] == ["slack"], "by default a page is a Slack DM"


def test_a_bad_rule_names_its_key():
    with pytest.raises(ValueError, match="notification_rules.1.via"):
        IncidentConfig.model_validate({"notification_rules": [{"after": "0m", "via": "slack"}, {"after": "1m", "via": "fax"}]})
