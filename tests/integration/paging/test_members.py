"""Schedule members written as an e-mail or an @handle: resolved with the fake Slack at start
(users.lookupByEmail, users.list), kept in the database, refused by name when Slack does not know them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import resolve_members
from bot.config import ConfigError, IncidentConfig, load_settings
from bot.core.db import make_session_factory
from models.oncall import MemberEntry

ALICE, BOB, CAROL, DAVE = "U01ALICE", "U02BOB", "U03CAROL", "U04DAVE"
CONFIG = {"schedules": {
    "primary": {"members": [ALICE, "bob@example.com", "@carol"]},
    "sun": {"layers": [{"name": "days", "members": ["Dave@Example.com", "@Alice"],
                        "hours": {"start": "09:00", "end": "18:00"}}]},
}}


def settings(database_url, api_url, token="xoxb-test"):
    return load_settings({"DATABASE_URL": database_url, "SLACK_BOT_TOKEN": token, "SLACK_SIGNING_SECRET": "s",
                          "SLACK_API_URL": api_url, "INCIDENT_CONFIG": "incidents.yaml"})


def kept(engine) -> dict[str, str]:
    with make_session_factory(engine)() as session:
        return dict(session.execute(select(MemberEntry.entry, MemberEntry.user_id)).tuples().all())


def test_emails_and_handles_become_ids_and_are_kept(fake_slack, engine, database_url):
    resolved = resolve_members(settings(database_url, fake_slack.base_url), IncidentConfig.model_validate(CONFIG),
                               keep=True)
    assert resolved.schedules["primary"].members == [ALICE, BOB, CAROL]
    assert resolved.schedules["sun"].layers[0].members == [DAVE, ALICE]
    assert resolved.schedules["sun"].layers[0].hours is not None, "the rest of the layer is as written"
    assert kept(engine) == {"bob@example.com": BOB, "@carol": CAROL, "dave@example.com": DAVE, "@alice": ALICE}
    assert {c.args["email"] for c in fake_slack.calls_to("users.lookupByEmail")} == {"bob@example.com",
                                                                                    "Dave@Example.com"}
    assert len(fake_slack.calls_to("users.list")) == 1, "one listing serves every handle"


def test_while_slack_cannot_be_reached_the_kept_ids_stand_in(fake_slack, engine, database_url):
    config = IncidentConfig.model_validate(CONFIG)
    resolve_members(settings(database_url, fake_slack.base_url), config, keep=True)
    unreachable = settings(database_url, "http://127.0.0.1:9/api/")
    assert resolve_members(unreachable, config, keep=True).schedules["primary"].members == [ALICE, BOB, CAROL]


def test_without_a_token_nothing_is_asked_and_kept_ids_are_used(fake_slack, engine, database_url):
    config = IncidentConfig.model_validate(CONFIG)
    resolve_members(settings(database_url, fake_slack.base_url), config, keep=True)
    calls = len(fake_slack.calls)
    offline = resolve_members(settings(database_url, fake_slack.base_url, token=""), config, keep=True)
    assert offline.schedules["sun"].layers[0].members == [DAVE, ALICE]
    assert len(fake_slack.calls) == calls


def test_an_entry_slack_does_not_know_stops_start_up_naming_file_key_and_entry(fake_slack, engine, database_url):
    fake_slack.add_user("U09GONE", name="gone", deleted=True)
    config = IncidentConfig.model_validate({"schedules": {
        "primary": {"members": [ALICE, "nobody@example.com", "@nobody"]},
        "sun": {"layers": [{"name": "days", "members": ["gone@example.com"]}]},
    }})
    with pytest.raises(ConfigError) as error:
        resolve_members(settings(database_url, fake_slack.base_url), config, keep=True)
    assert str(error.value).splitlines() == [
        'incidents.yaml: schedules.primary.members[1]: "nobody@example.com" is not the e-mail of anyone in this '
        "Slack workspace (users.lookupByEmail); check the spelling, or use their member ID",
        'incidents.yaml: schedules.primary.members[2]: "@nobody" is no one\'s handle in this Slack workspace '
        "(users.list); check the spelling, or use their member ID or e-mail",
        'incidents.yaml: schedules.sun.layers[0].members[0]: "gone@example.com" belongs to U09GONE (gone), a '
        "deactivated account or an app, who cannot be paged; remove the entry",
    ]
    assert kept(engine) == {}, "nothing is kept from a refused file"


def test_a_handle_two_people_share_is_refused_naming_both(fake_slack, engine, database_url):
    fake_slack.add_user("U07ALEX", name="alex")
    fake_slack.add_user("U08ALEXB", name="alexb")
    fake_slack.set_profile("U08ALEXB", display_name="Alex", real_name="Alex Bianchi")
    config = IncidentConfig.model_validate({"schedules": {"primary": {"members": ["@alex"]}}})
    with pytest.raises(ConfigError) as error:
        resolve_members(settings(database_url, fake_slack.base_url), config, keep=False)
    assert str(error.value) == (
        'incidents.yaml: schedules.primary.members[0]: "@alex" is the handle of 2 Slack users, U07ALEX (alex) and '
        "U08ALEXB (Alex Bianchi); write the one you mean by member ID or e-mail")


def test_a_schedule_of_ids_only_asks_slack_nothing(fake_slack, engine, database_url):
    config = IncidentConfig.model_validate({"schedules": {"primary": {"members": [ALICE, BOB]}}})
    assert resolve_members(settings(database_url, fake_slack.base_url), config, keep=True) is config
    assert fake_slack.calls_to("users.list") == [] and fake_slack.calls_to("users.lookupByEmail") == []
