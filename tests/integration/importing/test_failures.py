"""Every way an import can fail says so in one line with a non-zero status, and leaves nothing half-written."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from urllib3.util.retry import Retry

from bot.importing import api
from models.oncall import Override
from tests.fakeproviders.grafana_oncall import TOKEN as GRAFANA_TOKEN
from tests.fakeproviders.opsgenie import KEY as OPSGENIE_KEY
from tests.fakeproviders.pagerduty_rest import TOKEN
from tests.integration.importing.test_pagerduty import account, args


def overrides(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Override))


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("source, url_of", [("pagerduty", "pagerduty"), ("opsgenie", "opsgenie"),
                                            ("grafana-oncall", "grafana")])
def test_a_bad_token_is_one_line_and_status_2(source, url_of, request, run_import):
    fake = request.getfixturevalue(url_of)
    result = run_import(source, "--token", "wrong", "--url", fake.url)
    assert result.status == 2
    line = one_line(result.err)
    assert line.startswith(f"import {source}: ") and "refused the token (401" in line
    assert not result.path.exists()


def test_the_right_tokens_go_in_each_services_header(pagerduty, opsgenie, grafana, run_import):
    for source, token, fake in (("opsgenie", OPSGENIE_KEY, opsgenie), ("grafana-oncall", GRAFANA_TOKEN, grafana)):
        result = run_import(source, "--token", token, "--url", fake.url, "--dry-run")
        assert result.status == 0, result.err
    assert opsgenie.requests[0].headers["Authorization"] == f"GenieKey {OPSGENIE_KEY}"
    assert grafana.requests[0].headers["Authorization"] == GRAFANA_TOKEN
    assert grafana.requests[0].path.startswith("/api/v1/")


def test_an_unreachable_host_is_one_line_and_status_1(run_import):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nobody listens there once closed
    result = run_import("pagerduty", "--token", TOKEN, "--url", f"http://127.0.0.1:{port}")
    assert result.status == 1
    assert "cannot reach PagerDuty at" in one_line(result.err) and "connection refused" in result.err


def test_an_api_that_keeps_failing_is_one_line_and_status_1(pagerduty, run_import, monkeypatch):
    monkeypatch.setattr(api, "RETRIES", Retry(total=3, backoff_factor=0, status_forcelist=(500, 429),
                                              allowed_methods=("GET",), raise_on_status=False))
    account(pagerduty)
    pagerduty.fail(500, times=10)
    result = run_import(*args(pagerduty))
    assert result.status == 1
    assert "PagerDuty answered 500 to GET" in one_line(result.err) and "kept answering so after retries" in result.err
    assert len(pagerduty.requests) == 0  # each was refused: 4 tries of the first request, then no more


def test_an_api_error_names_the_request(pagerduty, run_import, monkeypatch):
    monkeypatch.setattr(api, "RETRIES", Retry(total=0, raise_on_status=False))
    account(pagerduty)
    pagerduty.fail(500, times=1)
    result = run_import(*args(pagerduty))
    assert result.status == 1
    assert "PagerDuty answered 500 to GET" in one_line(result.err) and "injected failure" in result.err


def test_grafana_needs_its_url(run_import):
    result = run_import("grafana-oncall", "--token", GRAFANA_TOKEN)
    assert result.status == 2 and "--url is required for Grafana OnCall" in one_line(result.err)


def test_without_a_slack_token_nobody_can_be_found(pagerduty, run_import):
    result = run_import(*args(pagerduty), slack_token=None)
    assert result.status == 2 and "SLACK_BOT_TOKEN is not set" in one_line(result.err)
    assert pagerduty.requests == []  # asked before reading anything


def test_slack_refusing_its_token_is_one_line(pagerduty, fake_slack, run_import):
    account(pagerduty, layered=False)
    fake_slack.fail("users.lookupByEmail", "invalid_auth")
    result = run_import(*args(pagerduty))
    assert result.status == 2 and "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in one_line(result.err)
    assert not result.path.exists()


def test_an_existing_file_is_kept_without_force(pagerduty, run_import, engine):
    account(pagerduty, layered=False)
    run_import(*args(pagerduty, "--dry-run"))  # creates nothing
    assert overrides(engine) == 0
    before = "timezone: Europe/Rome\nslack: {announce_channel: ops}\n"
    path = run_import(*args(pagerduty, "--dry-run")).path
    path.write_text(before)
    result = run_import(*args(pagerduty))
    assert result.status == 2 and "exists; pass --force to replace it" in one_line(result.err)
    assert path.read_text() == before and overrides(engine) == 0
    assert not [r for r in pagerduty.requests if r.path == "/users"][2:]  # the refusal came before reading


def test_dry_run_prints_the_file_and_its_difference_and_writes_nothing(pagerduty, run_import, engine):
    account(pagerduty, layered=False)
    path = run_import(*args(pagerduty, "--dry-run")).path
    path.write_text("timezone: Europe/Rome\nslack: {announce_channel: ops}\nschedules: {}\n")
    result = run_import(*args(pagerduty, "--dry-run"))
    assert result.status == 0, result.err
    printed, _, difference = result.out.partition("--- ")
    assert yaml.safe_load(printed)["schedules"]["platform-primary"]["rotation"] == "weekly"
    assert f"{path} (now)" in difference and "+  platform-primary:" in difference and "-schedules: {}" in difference
    assert path.read_text().endswith("schedules: {}\n") and overrides(engine) == 0
    assert "Would write" in result.err


def test_force_replaces_the_imported_keys_and_keeps_the_others(pagerduty, run_import, engine):
    account(pagerduty, layered=False)
    path = run_import(*args(pagerduty, "--dry-run")).path
    path.write_text("timezone: Europe/Rome\nslack: {announce_channel: ops}\nschedules: {old: {members: [U09OLD]}}\n")
    result = run_import(*args(pagerduty, "--force"))
    assert result.status == 0, result.err
    config = result.config()
    assert config.slack.announce_channel == "ops" and set(config.schedules) == {"platform-primary"}
    assert overrides(engine) == 1
    again = run_import(*args(pagerduty, "--force"))  # importing twice adds no second override
    assert again.status == 0 and overrides(engine) == 1
    assert "1 of the overrides ahead were in the database already" in again.err
    assert not [name for name in os.listdir(path.parent) if name.startswith(".incidents.yaml.")]


def test_the_command_line_answers_without_a_traceback(tmp_path):
    environ = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-x", "INCIDENT_CONFIG": str(tmp_path / "incidents.yaml")}
    answer = subprocess.run([sys.executable, "-m", "bot", "import", "opsgenie", "--token", "t", "--url",
                             "http://127.0.0.1:9"], capture_output=True, text=True, env=environ, timeout=60)
    assert answer.returncode == 1
    assert answer.stderr.strip().splitlines() == [
        "import opsgenie: cannot reach Opsgenie at http://127.0.0.1:9/: connection refused; check --url and the network"]


def test_a_database_that_refuses_leaves_the_file_as_it_was(pagerduty, run_import, tmp_path):
    account(pagerduty, layered=False)
    empty = f"sqlite:///{tmp_path / 'never-migrated.db'}"
    result = run_import(*args(pagerduty), database=empty)
    assert result.status == 1
    assert "cannot write the overrides to DATABASE_URL" in one_line(result.err) and "alembic upgrade head" in result.err
    assert not result.path.exists()
    assert not [name for name in os.listdir(result.path.parent) if name.startswith(".incidents.yaml.")]


def test_a_kept_key_naming_a_replaced_service_is_said_and_nothing_is_written(pagerduty, run_import):
    account(pagerduty, layered=False)
    path = run_import(*args(pagerduty, "--dry-run")).path
    before = ("services: {shop: {}}\nescalation_policies: {default: {levels: [{notify: [{user: U01ALICE}]}]}}\n"
              "status_page: {components: [{name: Shop, services: [shop]}]}\n")
    path.write_text(before)
    result = run_import(*args(pagerduty, "--force"))
    assert result.status == 2
    line = one_line(result.err)
    assert "would not pass check-config (the file's other keys name something the import replaced" in line
    assert f"{path}: status_page.components[0].services[0]" in line
    assert path.read_text() == before


def test_slack_asking_to_wait_is_waited_for(pagerduty, fake_slack, run_import):
    account(pagerduty, layered=False)
    fake_slack.fail("users.lookupByEmail", "ratelimited", status=429, headers={"Retry-After": "1"})
    result = run_import(*args(pagerduty, "--dry-run"))
    assert result.status == 0, result.err
    assert len(fake_slack.calls_to("users.lookupByEmail")) == 5  # four people, one of them asked twice


def test_a_slack_app_without_the_email_scope_says_which_scope(pagerduty, fake_slack, run_import):
    account(pagerduty, layered=False)
    fake_slack.grant(["chat:write", "users:read"])
    result = run_import(*args(pagerduty, "--dry-run"))
    assert result.status == 2 and "lacks the users:read.email scope" in one_line(result.err)


def test_an_answer_shaped_otherwise_is_one_line(pagerduty, run_import):
    account(pagerduty, layered=False)
    pagerduty.users.append({"name": "No id", "email": "noid@example.com"})
    result = run_import(*args(pagerduty))
    assert result.status == 1
    assert "PagerDuty answered in a shape this import does not know (KeyError: 'id')" in one_line(result.err)


def test_a_deactivated_slack_account_is_no_match(pagerduty, fake_slack, run_import):
    account(pagerduty, layered=False)
    fake_slack.add_user("U04DAVE", name="dave", deleted=True)
    result = run_import(*args(pagerduty, "--dry-run"))
    assert result.status == 3
    assert "PagerDuty user Dave <dave@example.com>: has no active Slack account with this e-mail" in result.err
