"""The CSV exports, by the command line and over HTTP, against the fixed history; and their bad input."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest
from sqlalchemy.orm import Session

from tests.console import CONSOLE_TOKEN, Browserless, console_running
from tests.db import ROOT
from tests.driver import http
from tests.integration.retro.history import CONFIG, NOW, build

B, C = "Борис Петров", "李嘉欣"
PAGE_LOG = [
    ["paged_at", "user_id", "user_name", "incident", "service", "severity", "level", "reason", "out_of_hours",
     "acknowledged_by", "acknowledged_by_name", "acknowledged_after_s", "escalated"],
    # 22:31 UTC on 25 Oct is 23:31 CET: the offset is winter's, the day after 02:00 CEST was
    ["2026-10-25T23:31:00+01:00", "U02BOB", B, "INC-1", "checkout", "sev1", "1", "alert", "true", "U02BOB", B, "300",
     "false"],
    ["2026-10-26T00:30:00+01:00", "U02BOB", B, "INC-2", "checkout", "sev2", "1", "declared", "true", "U03CAROL", C,
     "600", "true"],
    ["2026-10-26T00:32:00+01:00", "U02BOB", B, "INC-2", "checkout", "sev2", "1", "renotify", "true", "U03CAROL", C,
     "480", "true"],
    ["2026-10-26T00:35:00+01:00", "U03CAROL", C, "INC-2", "checkout", "sev2", "2", "escalation", "true", "U03CAROL", C,
     "300", "true"],
]


@pytest.fixture
def history(engine):
    with Session(engine) as session:
        build(session)
        session.commit()


def run_export(*args: str, database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "export", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": database_url, "INCIDENT_CONFIG": str(ROOT / "absent.yaml")},
                         timeout=60)


def test_the_command_line_writes_the_page_log(history, database_url, tmp_path):
    # The dates are days in the configured zone (Europe/Rome here; UTC without a file); until is included.
    config = tmp_path / "incidents.yaml"
    config.write_text("timezone: Europe/Rome\n")
    out = tmp_path / "pages.csv"
    result = subprocess.run([sys.executable, "-m", "bot", "export", "pages", "--since", "2026-10-25", "--until",
                             "2026-10-26", "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "DATABASE_URL": database_url, "INCIDENT_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    assert list(csv.reader(io.StringIO(out.read_text()))) == PAGE_LOG
    assert out.read_bytes().count(b"\r\n") == len(PAGE_LOG)  # CSV's own line ends, one header row


def test_the_command_line_writes_incidents_to_standard_output(history, database_url):
    result = run_export("incidents", "--since", "2026-11-02", database_url=database_url)
    assert result.returncode == 0, result.stderr
    header, *rows = list(csv.reader(io.StringIO(result.stdout)))
    assert header == ["incident", "title", "service", "severity", "status", "transient", "declared_at",
                      "acknowledged_at", "acknowledged_by", "acknowledged_by_name", "mitigated_at", "resolved_at", "time_to_acknowledge_s",
                      "time_to_mitigate_s", "time_to_resolve_s", "escalated", "pages"]
    assert rows == [["INC-6", "Incident 6", "payments", "sev2", "resolved", "false", "2026-11-02T09:00:00+00:00",
                     "2026-11-02T09:12:00+00:00", "U01ALICE", "Alice Ångström", "2026-11-02T09:30:00+00:00", "2026-11-02T10:00:00+00:00",
                     "600", "1800", "3600", "false", "1"]]


@pytest.mark.parametrize(("args", "says"), [
    (["pages", "--since", "2026-11-02", "--until", "2026-11-01"],
     "since 2026-11-02 is after until 2026-11-01; give since on or before until"),
    (["pages", "--since", "yesterday"], "yesterday is not a date; write it as 2026-11-01."),
    (["pages", "--out", "/nonexistent/dir/pages.csv"], "cannot write --out /nonexistent/dir/pages.csv"),
    (["calls"], "argument what: invalid choice: 'calls'"),
])
def test_bad_input_exits_2_naming_what_was_wrong(database_url, engine, args, says):
    result = run_export(*args, database_url=database_url)
    assert result.returncode == 2
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_the_csv_over_http_behind_sign_in(history, database_url, fake_slack, clock, servers):
    clock.set(NOW)
    with console_running(database_url, fake_slack, clock, servers, config=CONFIG) as bot:
        url = f"{bot.url}/stats/pages.csv?since=2026-10-25&until=2026-10-26"
        assert http("GET", url).status == 401
        answer = http("GET", url, headers={"Authorization": f"Bearer {CONSOLE_TOKEN}"})
        assert answer.status == 200
        assert list(csv.reader(io.StringIO(answer.body.decode()))) == PAGE_LOG
        reader = Browserless(bot.url)
        assert reader.post("/auth/signin", {"token": CONSOLE_TOKEN}).status == 303
        incidents = reader.get("/stats/incidents.csv?since=2026-10-28&until=2026-10-28")
        assert incidents.status == 200 and incidents.headers["content-type"] == "text/csv; charset=utf-8"
        assert [row[0] for row in csv.reader(io.StringIO(incidents.body))] == ["incident", "INC-5"]
        bad = http("GET", f"{bot.url}/stats/pages.csv?since=2026-11-02&until=2026-11-01",
                   headers={"Authorization": f"Bearer {CONSOLE_TOKEN}"})
        assert bad.status == 400
        assert bad.json() == {"error": "since 2026-11-02 is after until 2026-11-01; give since on or before until, "
                                       "such as --since 2026-11-01 --until 2026-11-30 (ISO dates, in the configured "
                                       "time zone; both optional)", "field": "since"}
        bad = http("GET", f"{bot.url}/stats/incidents.csv?until=soon", headers={"Authorization": f"Bearer {CONSOLE_TOKEN}"})
        assert (bad.status, bad.json()) == (400, {"error": "soon is not a date; write it as 2026-11-01.", "field": "until"})
