from datetime import time, timedelta
from pathlib import Path
from textwrap import dedent
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, Handoff, IncidentConfig, Settings, load_config, load_settings

# The example of INTERFACE.md, verbatim.
EXAMPLE = """\
timezone: Europe/Rome              # schedules, business hours, reports
business_hours: {days: mon-fri, start: "09:00", end: "18:00"}   # low-urgency pages wait for these
slack:
  announce_channel: incidents      # every incident is announced here and its summary kept current
  channel_prefix: inc              # incident channels are #inc-<number>-<slug>, public
default_severity: sev3
severities:                        # most severe first
  sev1: {label: Critical, update_every: 20m, separate_comms_lead: true, page: true}
  sev2: {label: Major, update_every: 30m, separate_comms_lead: true, page: true}
  sev3: {label: Minor, update_every: 1h, page: false}
  sev4: {label: Low, update_every: 4h, page: true, urgency: low}
schedules:
  platform-primary:
    rotation: weekly               # hourly | daily | weekly, or a duration such as 12h
    handoff: "mon 09:00"           # first handoff, in timezone
    members: [U01ALICE, U02BOB, U03CAROL]
  platform-secondary: {rotation: weekly, handoff: "mon 09:00", members: [U04DAVE, U05ERIN]}
escalation_policies:
  default:
    renotify_every: 2m             # page again until someone acknowledges
    levels:
      - notify: [{schedule: platform-primary, role: commander}]
        escalate_after: 5m
      - notify: [{schedule: platform-secondary}]
        escalate_after: 15m
      - notify: [{user: U06CTO}, {user: U07VP}]
services:
  checkout: {escalation_policy: default, runbook: "https://wiki.example.com/runbooks/checkout"}
alerts:
  page_delay: 2m                   # an alert that resolves within this pages nobody
"""


def load(text: str) -> IncidentConfig:
    path = Path("incidents.yaml")
    path.write_text(dedent(text))
    return load_config(path)


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(text)
    return str(caught.value).splitlines()


# --- the file: defaults and the example --------------------------------------------------------


def check_defaults(config: IncidentConfig) -> None:
    assert config.timezone == "UTC"
    assert config.tz == ZoneInfo("UTC")
    assert config.business_hours.days == (0, 1, 2, 3, 4)
    assert (config.business_hours.start, config.business_hours.end) == (time(9), time(18))
    assert (config.slack.announce_channel, config.slack.channel_prefix) == ("incidents", "inc")
    assert config.default_severity == "sev3"
    assert config.severity_names() == ["sev1", "sev2", "sev3", "sev4"]
    assert config.severity("sev1").label == "Critical"
    assert config.severity("sev4").urgency == "low"
    assert config.schedules == {} and config.escalation_policies == {} and config.services == {}
    assert config.alerts.page_delay == timedelta(minutes=2)


def test_defaults_without_a_file(tmp_path):
    check_defaults(load_config(tmp_path / "absent.yaml"))


@pytest.mark.parametrize("text", ["", "# nothing yet\n"])
def test_defaults_with_an_empty_file(in_tmp, text):
    check_defaults(load(text))


def test_the_interface_example_loads(in_tmp):
    config = load(EXAMPLE)

    assert config.tz == ZoneInfo("Europe/Rome")
    assert config.business_hours.days == (0, 1, 2, 3, 4)
    assert config.severity_names() == ["sev1", "sev2", "sev3", "sev4"]
    sev1, sev4 = config.severity("sev1"), config.severity("sev4")
    assert (sev1.label, sev1.update_every, sev1.separate_comms_lead, sev1.page, sev1.urgency) == (
        "Critical",
        timedelta(minutes=20),
        True,
        True,
        "high",
    )
    assert (sev4.update_every, sev4.separate_comms_lead, sev4.urgency) == (timedelta(hours=4), False, "low")
    assert config.severity("SEV3").page is False

    primary = config.schedules["platform-primary"]
    assert primary.rotation == "weekly" and primary.period == timedelta(weeks=1)
    assert primary.handoff == Handoff(weekday=0, at=time(9))
    assert primary.members == ["U01ALICE", "U02BOB", "U03CAROL"]

    policy = config.escalation_policies["default"]
    assert policy.renotify_every == timedelta(minutes=2) and policy.repeat == 0
    assert [level.escalate_after for level in policy.levels] == [timedelta(minutes=5), timedelta(minutes=15), None]
    first = policy.levels[0].notify[0]
    assert (first.schedule, first.role) == ("platform-primary", "commander")
    assert [target.user for target in policy.levels[2].notify] == ["U06CTO", "U07VP"]

    checkout = config.service("checkout")
    assert checkout.escalation_policy == "default"
    assert checkout.runbook == "https://wiki.example.com/runbooks/checkout"
    assert config.service("unknown") is None
    assert config.alerts.page_delay == timedelta(minutes=2)


def test_rank_and_downgrade():
    config = IncidentConfig()
    assert [config.rank(name) for name in ("sev1", "sev2", "sev3", "sev4")] == [0, 1, 2, 3]
    assert config.is_downgrade("sev1", "sev3")
    assert not config.is_downgrade("sev3", "sev1")
    assert not config.is_downgrade("sev2", "sev2")


def test_an_unknown_severity_is_a_clear_value_error():
    with pytest.raises(ValueError, match='^"sev9" is not a severity; use one of sev1, sev2, sev3, sev4$'):
        IncidentConfig().severity("sev9")


def test_configs_can_be_built_in_code():
    config = IncidentConfig(
        severities={"p1": {"label": "Page", "update_every": "10m"}, "p2": {"label": "Ticket", "update_every": timedelta(days=1)}},
        default_severity="p1",
        schedules={"ops": {"members": ["U1AA"], "rotation": "12h", "handoff": "08:30"}},
    )
    assert config.severity("p2").update_every == timedelta(days=1)
    assert config.schedules["ops"].period == timedelta(hours=12)
    assert config.schedules["ops"].handoff == Handoff(None, time(8, 30))
    assert IncidentConfig.model_validate(config.model_dump()) == config


def test_other_spellings_of_days_and_rotations(in_tmp):
    config = load(
        """
        business_hours: {days: [Monday, wed, sat-sun], start: "7:30", end: "20:00"}
        slack: {announce_channel: "#ops"}
        schedules:
          night: {rotation: Daily, handoff: "Friday 18:00", members: [W0NIGHT]}
        """
    )
    assert config.business_hours.days == (0, 2, 5, 6)
    assert config.business_hours.start == time(7, 30)
    assert config.slack.announce_channel == "ops"
    assert config.schedules["night"].handoff == Handoff(4, time(18))
    assert config.schedules["night"].period == timedelta(days=1)


def test_an_empty_key_keeps_its_default(in_tmp):
    config = load("severities:\nschedules:\nalerts: {page_delay: null}\n")
    assert config.severity_names() == ["sev1", "sev2", "sev3", "sev4"]
    assert config.alerts.page_delay == timedelta(minutes=2)


def test_the_default_policy_may_be_missing_when_paging_is_off(in_tmp):
    assert load("services: {checkout: {}}").service("checkout").escalation_policy == "default"


# --- the file: every problem, one line each ----------------------------------------------------


def test_the_interface_duration_message_verbatim(in_tmp):
    assert problems(EXAMPLE.replace("escalate_after: 15m", "escalate_after: 15 minutes")) == [
        'incidents.yaml: escalation_policies.default.levels[1].escalate_after: "15 minutes" is not a duration; use 15m'
    ]


def test_the_message_names_the_path_as_given(tmp_path):
    path = tmp_path / "conf" / "bot.yaml"
    path.parent.mkdir()
    path.write_text("alerts: {page_delay: soon}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f'{path}: alerts.page_delay: "soon" is not a duration; use a number with s, m, h or d, such as 90s, 15m, 2h'
    )


def test_a_misspelt_key(in_tmp):
    assert problems(
        """
        severities:
          sev1: {label: Critical, update_every: 20m}
          sev2: {labl: Major, update_every: 30m}
        default_severity: sev1
        timezon: UTC
        """
    ) == [
        "incidents.yaml: severities.sev2.label: required key is missing",
        "incidents.yaml: severities.sev2.labl: unknown key; expected one of label, update_every, separate_comms_lead, page, "
        "urgency, counts_as_downtime",
        "incidents.yaml: timezon: unknown key; expected one of timezone, business_hours, slack, default_severity, "
        "severities, schedules, escalation_policies, services, alerts, overrides, oncall, roles, stakeholders, reports, reviews, "
        "status_page, retro, notification_rules, people, send_rates, heartbeats",
    ]


def test_a_misspelt_key_deep_in_a_list(in_tmp):
    assert problems(
        """
        escalation_policies:
          default:
            levels:
              - notify: [{users: U1AA}]
                escalat_after: 5m
              - notify: [{user: U1AB}]
        """
    ) == [
        "incidents.yaml: escalation_policies.default.levels[0].notify[0].users: unknown key; "
        "expected one of schedule, user, usergroup, role",
        "incidents.yaml: escalation_policies.default.levels[0].escalat_after: unknown key; expected one of notify, escalate_after",
    ]


def test_yaml_syntax_error(in_tmp):
    assert problems("timezone: UTC\nseverities:\n  sev1: {label: [Critical}\n") == [
        "incidents.yaml: line 3, column 26: YAML syntax error: expected ',' or ']', but got '}'"
    ]


def test_a_key_given_twice(in_tmp):
    assert problems("alerts: {page_delay: 2m}\nalerts: {page_delay: 5m}\n") == [
        'incidents.yaml: line 2, column 1: YAML syntax error: key "alerts" appears twice'
    ]


@pytest.mark.parametrize(
    ("text", "found"), [("- timezone: UTC\n", '[{"timezone": "UTC"}]'), ("just words\n", '"just words"')]
)
def test_the_top_level_must_be_a_mapping(in_tmp, text, found):
    assert problems(text) == [f"incidents.yaml: top level: {found} is not a mapping of keys to values"]


def test_wrong_types(in_tmp):
    assert problems(
        """
        timezone: 5
        slack: [incidents]
        severities:
          sev3: {label: Minor, update_every: 1h, page: maybe}
        schedules:
          ops: {members: U01ALICE}
        escalation_policies:
          default: {repeat: two, levels: [{notify: [{user: U1AA}]}]}
        """
    ) == [
        "incidents.yaml: timezone: 5 is not text",
        'incidents.yaml: slack: ["incidents"] is not a mapping of keys to values',
        'incidents.yaml: severities.sev3.page: "maybe" is not true or false',
        'incidents.yaml: schedules.ops.members: "U01ALICE" is not a list; use [a, b] or one "- item" per line',
        'incidents.yaml: escalation_policies.default.repeat: "two" is not a whole number',
    ]


def test_bad_choices(in_tmp):
    assert problems(
        """
        severities:
          sev3: {label: Minor, update_every: 1h, urgency: urgent}
        escalation_policies:
          default: {levels: [{notify: [{user: U1AA, role: boss}]}]}
        schedules:
          ops: {rotation: fortnightly, members: [U1AA]}
        """
    ) == [
        'incidents.yaml: severities.sev3.urgency: "urgent" is not one of high, low',
        'incidents.yaml: schedules.ops.rotation: "fortnightly" is not a rotation; '
        "use hourly, daily, weekly or a duration such as 12h",
        'incidents.yaml: escalation_policies.default.levels[0].notify[0].role: "boss" is not one of commander, comms_lead',
    ]


def test_bad_timezone(in_tmp):
    assert problems("timezone: Europe/Mars\n") == [
        'incidents.yaml: timezone: "Europe/Mars" is not a time zone; use an IANA name such as Europe/Rome or UTC'
    ]


def test_bad_business_hours(in_tmp):
    assert problems("business_hours: {days: mon-fry}\n") == [
        'incidents.yaml: business_hours.days: "fry" is not a day; use mon, tue, wed, thu, fri, sat or sun'
    ]
    assert problems('business_hours: {start: "18:00", end: "09:00"}\n') == [
        'incidents.yaml: business_hours.end: "09:00" is not after start "18:00"'
    ]
    # Unquoted, YAML 1.1 reads 18:00 as the number 1080.
    assert problems('business_hours: {start: "09:00", end: 18:00}\n') == [
        'incidents.yaml: business_hours.end: 1080 is not a time of day; write "18:00" in quotes '
        "(YAML reads 18:00 unquoted as 1080)"
    ]


def test_bad_slack_names(in_tmp):
    assert problems("slack: {announce_channel: 'Big Room', channel_prefix: Inc_}\n") == [
        'incidents.yaml: slack.announce_channel: "Big Room" is not a Slack channel; use its name, such as incidents',
        'incidents.yaml: slack.channel_prefix: "Inc_" is not a channel prefix; '
        "use up to 20 lowercase letters, digits or -, such as inc",
    ]


def test_bad_schedule(in_tmp):
    assert problems('schedules:\n  ops: {handoff: "tue 25:00", members: [alice]}\n  "On Call": {members: []}\n') == [
        'incidents.yaml: schedules.ops.handoff: "tue 25:00" is not a handoff; '
        'use a day and time such as "mon 09:00", or a time such as "09:00"',
        'incidents.yaml: schedules.ops.members[0]: "alice" is not a member; use a Slack member ID (U01ABCDEF), an '
        'e-mail (alice@example.com) or an @handle in quotes ("@alice")',
        'incidents.yaml: schedules.On Call: "On Call" is not a name; use lowercase letters, digits, - and _, such as sev1',
        "incidents.yaml: schedules.On Call.members: [] is empty; expected at least one entry",
    ]


def test_a_schedule_that_does_not_exist(in_tmp):
    assert problems(EXAMPLE.replace("- notify: [{schedule: platform-secondary}]", "- notify: [{schedule: platform-tertiary}]")) == [
        'incidents.yaml: escalation_policies.default.levels[1].notify[0].schedule: "platform-tertiary" '
        "is not a configured schedule; expected one of platform-primary, platform-secondary"
    ]


def test_targets_name_exactly_one_thing(in_tmp):
    assert problems("escalation_policies:\n  default: {levels: [{notify: [{user: U1AA, usergroup: S1AA}, {role: commander}]}]}\n") == [
        "incidents.yaml: escalation_policies.default.levels[0].notify[0]: "
        "a target needs exactly one of schedule, user, usergroup; found user and usergroup",
        "incidents.yaml: escalation_policies.default.levels[0].notify[1]: "
        "a target needs exactly one of schedule, user, usergroup; found none",
    ]


def test_every_level_but_the_last_escalates(in_tmp):
    assert problems(EXAMPLE.replace("        escalate_after: 5m\n", "")) == [
        "incidents.yaml: escalation_policies.default.levels[0].escalate_after: "
        "required key is missing; every level but the last needs one, such as 15m"
    ]


def test_empty_and_negative_policy_values(in_tmp):
    assert problems("escalation_policies:\n  default: {repeat: -1, levels: []}\n") == [
        "incidents.yaml: escalation_policies.default.repeat: -1 is out of range; expected at least 0",
        "incidents.yaml: escalation_policies.default.levels: [] is empty; expected at least one entry",
    ]


def test_a_runbook_is_a_web_address(in_tmp):
    assert problems("services: {api: {runbook: wiki/api}}\n") == [
        'incidents.yaml: services.api.runbook: "wiki/api" is not a web address; use a full one starting with http:// or https://'
    ]


def test_references_to_severities_and_policies(in_tmp):
    assert problems(
        """
        default_severity: sev9
        escalation_policies:
          primary: {levels: [{notify: [{user: U1AA}]}]}
        services:
          checkout: {}
          api: {escalation_policy: backend}
        """
    ) == [
        'incidents.yaml: default_severity: "sev9" is not a configured severity; expected one of sev1, sev2, sev3, sev4',
        'incidents.yaml: services.checkout.escalation_policy: "default" is not a configured escalation policy; '
        "expected one of primary",
        'incidents.yaml: services.api.escalation_policy: "backend" is not a configured escalation policy; expected one of primary',
    ]


def test_a_named_policy_is_needed_when_none_exist(in_tmp):
    assert problems("services: {api: {escalation_policy: backend}}\n") == [
        'incidents.yaml: services.api.escalation_policy: "backend" is not a configured escalation policy; '
        "no escalation policy is configured"
    ]


def test_an_unreadable_file(in_tmp):
    Path("incidents.yaml").mkdir()
    with pytest.raises(ConfigError, match=r"^incidents.yaml: cannot read the file \("):
        load_config(Path("incidents.yaml"))


# --- the environment ---------------------------------------------------------------------------


def test_settings_defaults():
    settings = load_settings({})
    assert settings.database_url == "sqlite:///./incidents.db"
    assert settings.slack_bot_token is None and not settings.slack_enabled
    assert settings.slack_signing_secret is None and settings.slack_app_token is None
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.incident_config == Path("./incidents.yaml")
    assert settings.webhook_token is None
    assert settings.public_url == "http://localhost:3000"
    assert settings.run_worker is None and settings.worker_in_web


def test_settings_from_the_environment():
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql+psycopg://bot@db/incidents",
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "secret",
            "SLACK_APP_TOKEN": "xapp-1",
            "SLACK_API_URL": "http://127.0.0.1:8999/api",
            "PORT": "8080",
            "INCIDENT_CONFIG": "/etc/bot/incidents.yaml",
            "WEBHOOK_TOKEN": "hook",
            "UNRELATED": "ignored",
        }
    )
    assert settings.slack_enabled and settings.slack_app_token == "xapp-1"
    assert settings.slack_api_url == "http://127.0.0.1:8999/api/"
    assert settings.port == 8080 and settings.public_url == "http://localhost:8080"
    assert settings.incident_config == Path("/etc/bot/incidents.yaml")
    assert settings.webhook_token == "hook"
    assert not settings.worker_in_web
    assert "xoxb-1" not in repr(settings) and "hook" not in repr(settings)


def test_public_url_is_a_base_without_slash():
    assert load_settings({"PUBLIC_URL": "https://bot.example.com/"}).public_url == "https://bot.example.com"


def test_platform_postgres_urls_use_psycopg():
    assert load_settings({"DATABASE_URL": "postgres://u:p@h:5432/db"}).database_url == "postgresql+psycopg://u:p@h:5432/db"


@pytest.mark.parametrize(
    ("environ", "worker_in_web"),
    [
        ({}, True),
        ({"DATABASE_URL": "sqlite:////data/bot.db"}, True),
        ({"DATABASE_URL": "postgresql+psycopg://u@h/db"}, False),
        ({"RUN_WORKER": "0"}, False),
        ({"RUN_WORKER": "1", "DATABASE_URL": "postgresql+psycopg://u@h/db"}, True),
        ({"RUN_WORKER": ""}, True),
    ],
)
def test_run_worker_defaults_to_sqlite(environ, worker_in_web):
    assert load_settings(environ).worker_in_web is worker_in_web


def test_an_empty_variable_counts_as_unset():
    assert load_settings({"PORT": "", "SLACK_BOT_TOKEN": ""}) == load_settings({})


def test_reads_os_environ_only_when_no_mapping_is_given(monkeypatch):
    monkeypatch.setenv("PORT", "4321")
    assert load_settings().port == 4321
    assert load_settings({}).port == 3000
    assert Settings().port == 3000


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PORT": "abc"}, 'environment variable PORT: "abc" is not a whole number'),
        ({"PORT": "70000"}, 'environment variable PORT: "70000" is out of range; expected at most 65535'),
        (
            {"DATABASE_URL": "foo"},
            'environment variable DATABASE_URL: "foo" is not a database URL; '
            "use e.g. sqlite:///./incidents.db or postgresql+psycopg://user@host/db",
        ),
        ({"RUN_WORKER": "maybe"}, 'environment variable RUN_WORKER: "maybe" is not true or false'),
        (
            {"SLACK_API_URL": "slack.com/api"},
            'environment variable SLACK_API_URL: "slack.com/api" is not a web address; '
            "use a full one starting with http:// or https://",
        ),
    ],
)
def test_bad_environment_variables(environ, message):
    with pytest.raises(ConfigError) as caught:
        load_settings(environ)
    assert str(caught.value) == message


def test_every_bad_variable_is_listed():
    with pytest.raises(ConfigError) as caught:
        load_settings({"PORT": "abc", "DATABASE_URL": "foo"})
    assert [line.split(":")[0] for line in str(caught.value).splitlines()] == [
        "environment variable DATABASE_URL",
        "environment variable PORT",
    ]
