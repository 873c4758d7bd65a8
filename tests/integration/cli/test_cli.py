"""The commands the Procfile runs: a bad configuration stops them with one clear message."""

import os
import socket
import subprocess
import sys
import time

import pytest

from tests.db import ROOT
from tests.driver import http
from tests.fakeslack.socket_mode import FakeSocketMode
from tests.processes import bot_processes, signed_command, wait_for


def run_bot(*args: str, env: dict, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=timeout)


def test_a_bad_file_stops_start_up_naming_file_key_and_fix(tmp_path):
    config = tmp_path / "incidents.yaml"
    config.write_text("escalation_policies:\n  default:\n    levels:\n"
                      "      - notify: [{user: U01ALICE}]\n        escalate_after: 5m\n"
                      "      - notify: [{user: U02BOB}]\n        escalate_after: 15 minutes\n")
    result = run_bot("web", env={"INCIDENT_CONFIG": str(config)})
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        'incidents.yaml: escalation_policies.default.levels[1].escalate_after: "15 minutes" is not a duration; use 15m')
    assert "Traceback" not in result.stderr


def test_a_bad_variable_stops_start_up():
    result = run_bot("web", env={"PORT": "abc"})
    assert result.returncode == 2
    assert 'environment variable PORT: "abc" is not a whole number' in result.stderr


def test_a_token_without_a_signing_secret_is_refused():
    result = run_bot("web", env={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": ""})
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET: not set, but SLACK_BOT_TOKEN is" in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_web_serves_and_says_slack_is_off(tmp_path):
    port = free_port()
    database = f"sqlite:///{tmp_path}/bot.db"
    assert subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT,
                          env={**os.environ, "DATABASE_URL": database}, capture_output=True).returncode == 0
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": database, "SLACK_BOT_TOKEN": "",
           "INCIDENT_CONFIG": str(tmp_path / "absent.yaml")}
    server = subprocess.Popen([sys.executable, "-m", "bot", "web"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = http("GET", f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.1)
        assert response.json() == {"status": "ok", "database": "ok", "worker": "ok"}
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0]
    assert "Slack is off: SLACK_BOT_TOKEN is not set" in output


def test_with_an_app_token_a_command_is_handled_over_socket_mode(engine, database_url, fake_slack, tmp_path):
    """With SLACK_APP_TOKEN the bot opens Slack's WebSocket (no public URL needed): a slash command sent
    over it is acked there with the answer, and the incident gets its channel."""
    socket_mode = FakeSocketMode().start()
    fake_slack.attach_socket_mode(socket_mode)
    try:
        with bot_processes(database_url, fake_slack, tmp_path, SLACK_APP_TOKEN="xapp-test", SLACK_SIGNING_SECRET="",
                           RUN_WORKER="1") as bots:
            bots.web()
            socket_mode.wait_for_connection()
            answer = socket_mode.send("slash_commands", {
                "token": "legacy", "team_id": "T0001", "team_domain": "acme", "channel_id": "CGENERAL",
                "channel_name": "general", "user_id": "U01ALICE", "user_name": "alice", "command": "/incident",
                "text": "declare sev1 Checkout is down", "api_app_id": "A0001", "is_enterprise_install": "false",
                "response_url": fake_slack.response_url("socket"), "trigger_id": "t.socket"})
            assert "INC-1* is recorded" in answer["text"]
            wait_for(lambda: fake_slack.channel_by_name("inc-1-checkout-is-down"), 20, "the incident's channel")
    finally:
        fake_slack.attach_socket_mode(None)
        socket_mode.stop()
    assert fake_slack.calls_to("apps.connections.open")[0].ok


def test_manifest_is_printed_for_the_public_url_and_socket_mode():
    import yaml
    printed = run_bot("manifest", env={"PUBLIC_URL": "https://incidents.example.com", "SLACK_APP_TOKEN": ""})
    assert printed.returncode == 0
    manifest = yaml.safe_load(printed.stdout)
    assert manifest["settings"]["interactivity"]["request_url"] == "https://incidents.example.com/slack/events"
    assert manifest["settings"]["socket_mode_enabled"] is False
    socket = yaml.safe_load(run_bot("manifest", env={"SLACK_APP_TOKEN": "xapp-1"}).stdout)
    assert socket["settings"]["socket_mode_enabled"] is True


def test_check_config_says_ok_or_names_the_file_and_key(tmp_path):
    good = ROOT / "incidents.example.yaml"
    checked = run_bot("check-config", env={"INCIDENT_CONFIG": str(good)})
    assert (checked.returncode, checked.stdout.splitlines()[0]) == (0, f"{good}: OK")
    assert "push (NTFY_URL) off" in checked.stdout and "SMS (TWILIO_*) off" in checked.stdout
    checked = run_bot("check-config", env={"INCIDENT_CONFIG": str(good), "NTFY_URL": "https://ntfy.sh"})
    assert "push (NTFY_URL) on" in checked.stdout and "e-mail (SMTP_URL) off" in checked.stdout
    assert "PagerDuty (PAGERDUTY_ROUTING_KEY) off" in checked.stdout
    bad = tmp_path / "incidents.yaml"
    bad.write_text("overrides: {max_duration: a week}\n")
    checked = run_bot("check-config", env={"INCIDENT_CONFIG": str(bad)})
    assert checked.returncode == 2
    assert f'{bad}: overrides.max_duration: "a week" is not a duration' in checked.stderr


def test_on_sqlite_the_web_process_runs_the_jobs_itself(engine, database_url, fake_slack, tmp_path):
    """No worker: a nag due 2 s after declaring reaches the channel, sent by `python -m bot web`."""
    if not database_url.startswith("sqlite"):
        pytest.skip("RUN_WORKER is on by default only with SQLite")
    nagging = {"severities": {"sev3": {"label": "Minor", "update_every": "2s"}}}
    with bot_processes(database_url, fake_slack, tmp_path, nagging, ACCESS_LOG="1") as bots:
        web, url = bots.web()
        signed_command(url, fake_slack, "declare sev3 Search is slow")
        wait_for(lambda: any("no stakeholder update" in m["text"] for c in fake_slack.channels.values()
                             for m in fake_slack.messages(c["id"])), 20, "a nag from the web process's own jobs")
        assert '"POST /slack/events HTTP/1.1" 200' in bots.log_files[web.pid].read_text(), "ACCESS_LOG=1 logs requests"


def test_check_config_with_a_token_asks_slack_for_members_written_as_e_mail_or_handle(tmp_path, fake_slack):
    config = tmp_path / "incidents.yaml"
    config.write_text('schedules:\n  primary: {members: [U01ALICE, bob@example.com, "@carol"]}\n')
    env = {"INCIDENT_CONFIG": str(config), "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s",
           "SLACK_API_URL": fake_slack.base_url}
    assert run_bot("check-config", env=env).returncode == 0
    config.write_text('schedules:\n  primary: {members: [U01ALICE, bob@example.org]}\n')
    checked = run_bot("check-config", env=env)
    assert checked.returncode == 2 and "Traceback" not in checked.stderr
    assert checked.stderr.strip().endswith(
        f'{config}: schedules.primary.members[1]: "bob@example.org" is not the e-mail of anyone in this Slack '
        "workspace (users.lookupByEmail); check the spelling, or use their member ID")
    assert run_bot("check-config", env={**env, "SLACK_BOT_TOKEN": ""}).returncode == 0, "without a token: not asked"
