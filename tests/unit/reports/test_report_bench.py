"""bench/report.py renders the report as the web page and report.md do: it broke unseen for a week
once the templates began naming people, so a small run of it is part of the suite."""

from __future__ import annotations

from bench import report as bench


def test_the_report_bench_renders_every_way_and_passes(tmp_path, capsys):
    bench.run(f"sqlite:///{tmp_path}/report.db", events=60, rounds=1)

    printed = capsys.readouterr().out
    assert printed.count("PASS") == 5, printed
    assert "FAIL" not in printed


def test_the_report_bench_names_people_as_the_page_does(tmp_path):
    engine = bench.make_engine(f"sqlite:///{tmp_path}/report.db")
    bench.Base.metadata.create_all(engine)
    sessions = bench.make_session_factory(engine)
    incident_id = bench.seed(sessions, events=12)
    reports, pages, people = bench.services(sessions, bench.ManualClock(bench.START))
    draft = reports.draft(incident_id)

    page = bench.page(pages, draft).body.decode()
    markdown = bench.markdown(draft, people)

    assert "Ana Example 1" in page and "U01PERSON" not in page
    assert "Ana Example 1" in markdown and "U01PERSON" not in markdown
    engine.dispose()
