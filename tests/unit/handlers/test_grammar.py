import pytest

from bot.config import IncidentConfig
from bot.core.errors import UserError
from bot.slack.blocks import error_text
from handlers.slack.grammar import declare_args, drill_args, split, user_mention

SEVERITIES = IncidentConfig()  # sev1 (Critical) to sev4 (Low)


def test_split_lowercases_the_subcommand_and_keeps_the_rest():
    assert split("  Status   Mitigated ") == ("status", "Mitigated")
    assert split("") == ("", "")


@pytest.mark.parametrize("text, expected", [
    ("sev1 Checkout is down", ("sev1", "Checkout is down")),
    ("SEV2 Checkout is down", ("sev2", "Checkout is down")),
    ("Checkout is down", (None, "Checkout is down")),
    ("sev1", ("sev1", "")),
    ("several errors on login", (None, "several errors on login")),
    ("Low disk on db1", (None, "Low disk on db1")),  # a title may begin with a label's word
    ("critical Checkout is down", (None, "critical Checkout is down")),
])
def test_declare_args(text, expected):
    assert declare_args(text, SEVERITIES) == expected


def test_declare_args_refuses_an_unknown_severity_instead_of_taking_it_as_title():
    with pytest.raises(UserError) as error:
        declare_args("sev9 Checkout is down", SEVERITIES)
    assert "Unknown severity `sev9`; use one of sev1, sev2, sev3, sev4." in error_text(error.value)
    assert error.value.command == "declare"


@pytest.mark.parametrize("text", ["<@U02BOB|bob>", "<@U02BOB>", "<@U02BOB|bob> please take it"])
def test_user_mention(text):
    assert user_mention(text, "ic") == "U02BOB"


@pytest.mark.parametrize("text, what, shown", [
    ("@bob", "plain text", "@bob"),
    ("<#C123|ops>", "a channel", "#ops"),
    ("<!subteam^S123|@sre>", "a user group", "@sre"),
    ("<!here>", "a special mention", "<!here>"),
])
def test_user_mention_says_what_it_got_instead(text, what, shown):
    with pytest.raises(UserError) as error:
        user_mention(text, "ic")
    assert f"`{shown}` is {what}, not a Slack user" in error_text(error.value)
    assert error.value.command == "ic"


def test_user_mention_missing():
    with pytest.raises(UserError, match="Name a person"):
        user_mention("  ", "ic")


@pytest.mark.parametrize(("text", "expected"), [
    ("Failover rehearsal", (None, "Failover rehearsal", ())),
    ("sev2 Failover <@U03CAROL|carol> <@U04DAVE>", ("sev2", "Failover", ("U03CAROL", "U04DAVE"))),
    ("Page <@U03CAROL> first <@U04DAVE> <@U04DAVE>", (None, "Page <@U03CAROL> first", ("U04DAVE",))),  # the trailing ones
])
def test_drill_args_take_the_people_named_last(text, expected):
    assert drill_args(text, SEVERITIES) == expected


@pytest.mark.parametrize(("text", "says"), [
    ("Failover @nobody", "`@nobody` is plain text, not a Slack user"),
    ("Failover <!here>", "is a special mention, not a Slack user"),
    ("sev9 Failover", "Unknown severity `sev9`"),
    ("sev1 <@U03CAROL>", "A drill needs a title"),
])
def test_drill_args_refuse_what_is_not_a_person_severity_or_title(text, says):
    with pytest.raises(UserError) as error:
        drill_args(text, SEVERITIES)
    assert says in error_text(error.value) and error.value.command == "drill"
