"""``/incident stats`` through the real app, against the fixed history; and its bad input."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.integration.retro.history import CONFIG, NOW, at, build


@pytest.fixture
def stats_bot(make_bot, engine):
    with Session(engine) as session:
        build(session)
        session.commit()
    bot = make_bot(config={**CONFIG, "services": {"checkout": {}, "payments": {}, "search": {}}})
    bot.clock.set(NOW)
    return bot


def answer(bot, text: str) -> str:
    response = bot.command(text, user="U04DAVE")
    assert response.status == 200, response.body
    body = response.json()
    assert body["response_type"] == "ephemeral"
    return body["text"]


def test_the_last_four_weeks(stats_bot):
    text = answer(stats_bot, "stats")
    period = (NOW - at(10, 11, 22)).total_seconds()  # since Monday 12 Oct, 00:00 CEST
    checkout, payments = 100 * (1 - 10200 / period), 100 * (1 - 1800 / period)
    assert text.splitlines() == [
        ":bar_chart: *Retro figures, the last 4 weeks*",
        "*Incidents*: 5 declared · 1 escalated past level 1 · 1 transient alert paged nobody",
        # acknowledge 120, 180, 300, 600, 600 s; mitigate 1800, 2400, 3600, 3600, 5400; resolve 3600 ×3, 4800, 9000
        "Time to acknowledge median 5m, p90 10m · time to mitigate median 1h, p90 1h 18m · "
        "time to resolve median 1h, p90 2h 2m",
        f"*Uptime*: checkout {checkout:.2f}% · payments {payments:.2f}% · search 100.00%",
        "*Paged most*: <@U02BOB> 3 (2 out of hours) · <@U03CAROL> 1 (1 out of hours) · <@U01ALICE> 1 (0 out of hours)",
        f"<{stats_bot.ctx.settings.public_url}/stats?period=4w|Charts, week by week, and the page log>",
    ]


def test_one_service_this_week(stats_bot):
    text = answer(stats_bot, "stats this week Payments")
    assert text.splitlines()[:2] == [":bar_chart: *Retro figures, this week* for *payments*",
                                     "*Incidents*: 1 declared · 0 escalated past level 1 · 0 transient alerts paged nobody"]
    assert "*Paged most*: <@U01ALICE> 1 (0 out of hours)" in text
    assert "/stats?period=this+week&service=payments|" in text


def test_since_a_date(stats_bot):
    text = answer(stats_bot, "stats since 2026-10-26")
    assert "*Retro figures, since 2026-10-26*" in text
    assert "*Incidents*: 4 declared" in text  # INC-2 (00:30 CET on the 26th), 3, 4 and 6; not INC-1


@pytest.mark.parametrize(("text", "says"), [
    ("stats nosuch", "`nosuch` is not a service; one of checkout, payments, search."),
    ("stats since 31/10", "`31/10` is not a date; write it as 2026-11-01."),
    ("stats since 2026-12-25", "2026-12-25 is not in the past"),
    ("stats 500w", "`500w` is not a number of weeks from 1w to 104w."),
    ("stats last month checkout", "`last month checkout` is not a period and a service."),
])
def test_bad_input_names_what_was_wrong_and_the_right_form(stats_bot, text, says):
    reply = answer(stats_bot, text)
    assert says in reply
    assert reply.endswith("Usage: `/incident stats [4w|this week|since &lt;date&gt;] [service]`")
