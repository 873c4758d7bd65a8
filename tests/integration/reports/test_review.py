"""The post-incident review: due by severity in business days, two reminders to the commander (the next
business morning, and the morning it is due if the report is still incomplete), each sent once however
many workers run, cancelled once the report is complete, the review held or the incident reopened."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.reports.review import KINDS
from bot.slack.ids import Action, ReportField
from models import Delivery
from models.timer import PENDING, Timer
from tests.integration.helpers import button_ids, declare, in_channel, incident
from tests.integration.reports.helpers import TOKEN, fill_report, report_md, run_due, sections

FRIDAY_4PM = datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc)
REMINDER = ":memo: Reminder: write the incident report for INC-1"
DUE = ":calendar: The post-incident review of INC-1"


def texts(fake, user: str, start: str) -> list[str]:
    return [m["text"] for m in fake.messages(user) if m["text"].startswith(start)]


def pending_reminders(bot) -> list[Timer]:
    with bot.ctx.sessions() as session:
        return list(session.scalars(select(Timer).where(PENDING, Timer.kind.in_(KINDS))))


def resolve_on_friday(bot, severity: str = "sev1"):
    row = declare(bot, f"declare {severity} Checkout is down")
    in_channel(bot, "ic <@U02BOB|bob>", row)  # the commander at the time of the reminder is reminded
    bot.clock.set(FRIDAY_4PM)
    in_channel(bot, "resolve Rolled back deploy 42", row)
    return row


def test_reminded_the_next_business_morning_and_the_morning_the_review_is_due(make_bot, fake_slack):
    bot = make_bot(config={"reviews": {"sev1": 3}}, CONSOLE_TOKEN=TOKEN)
    resolve_on_friday(bot)
    assert "**Review**: due by Wed 02 Dec 2026" in sections(report_md(bot).body.decode())["Summary"]
    run_due(bot, timedelta(days=2, hours=16, minutes=59))  # Monday 08:59
    assert texts(fake_slack, "U02BOB", REMINDER) == []
    run_due(bot, timedelta(minutes=1))  # Monday 09:00
    [reminder] = texts(fake_slack, "U02BOB", REMINDER)
    assert "/incidents/1/report|the draft report>" in reminder

    run_due(bot, timedelta(days=1, hours=23, minutes=59))  # Wednesday 08:59
    assert texts(fake_slack, "U02BOB", DUE) == []
    run_due(bot, timedelta(minutes=1))  # Wednesday 09:00: three business days after Friday
    [due] = [m for m in fake_slack.messages("U02BOB") if m["text"].startswith(DUE)]
    assert "is due today, and its report still lacks its root cause or action items" in due["text"]
    assert button_ids(due["blocks"]) == [Action.REVIEW_HELD]
    run_due(bot, timedelta(days=7))
    assert len(texts(fake_slack, "U02BOB", REMINDER)) == 1 and len(texts(fake_slack, "U02BOB", DUE)) == 1
    assert texts(fake_slack, "U01ALICE", REMINDER) == [], "the commander, not the declarer"


def test_a_complete_report_cancels_both_reminders(bot, fake_slack):
    row = resolve_on_friday(bot)
    assert {t.kind for t in pending_reminders(bot)} == set(KINDS)
    fill_report(bot, row.id, {ReportField.ROOT_CAUSE: "Deploy 42 shipped a 1 s timeout."})
    assert {t.kind for t in pending_reminders(bot)} == set(KINDS), "a root cause alone is not complete"
    in_channel(bot, "action Add an EU canary", row)
    assert pending_reminders(bot) == []
    run_due(bot, timedelta(days=14))
    assert texts(fake_slack, "U02BOB", REMINDER) == [] and texts(fake_slack, "U02BOB", DUE) == []


def test_review_done_moves_the_report_to_reviewed_and_stops_the_reminders(make_bot, fake_slack):
    bot = make_bot(CONSOLE_TOKEN=TOKEN)
    row = declare(bot, "declare sev1 Checkout is down")
    assert "still open: its review comes after it is resolved" in in_channel(bot, "review done", row)["text"]
    in_channel(bot, "resolve", row)
    bot.clock.advance(timedelta(days=2))
    answer = in_channel(bot, "review done", row, user="U02BOB")
    assert answer["text"] == "The post-incident review of INC-1 is marked held; its report now says *Reviewed*."
    markdown = report_md(bot).body.decode()
    assert "*Reviewed Wed 25 Nov 2026 09:00 UTC*" in markdown
    assert "**Review**: held Wed 25 Nov 2026 09:00 UTC, marked by Борис Петров" in sections(markdown)["Summary"]
    assert pending_reminders(bot) == []
    assert "already marked held Wed 25 Nov 2026 by <@U02BOB>" in in_channel(bot, "review done", row)["text"]


def test_the_review_held_button(bot, fake_slack):
    row = declare(bot, "declare sev1 Checkout is down")
    in_channel(bot, "resolve", row)
    bot.click(Action.REVIEW_HELD, row.id)
    bot.settle()
    assert fake_slack.responses[-1]["text"].startswith("The post-incident review of INC-1 is marked held")


def test_a_review_that_is_optional_has_no_due_reminder(bot, fake_slack):
    resolve_on_friday(bot, "sev3")
    assert [t.kind for t in pending_reminders(bot)] == ["report_reminder"]


def test_reopening_cancels_the_reminders_and_resolving_again_sets_them_anew(bot, fake_slack):
    row = resolve_on_friday(bot)
    in_channel(bot, "status investigating", row)
    assert pending_reminders(bot) == []
    bot.clock.advance(timedelta(hours=1))
    in_channel(bot, "resolve", row)
    assert {t.kind for t in pending_reminders(bot)} == set(KINDS)
    run_due(bot, timedelta(days=14))
    assert len(texts(fake_slack, "U02BOB", REMINDER)) == 1 and len(texts(fake_slack, "U02BOB", DUE)) == 1


def test_two_workers_send_every_reminder_once(make_bot, fake_slack):
    """Two processes' worth of app (each its own timer worker, Slack sync and id) on one database and one
    clock, ticking at the same moments: every reminder is one DM, whoever claims it."""
    first, second = make_bot(), make_bot()
    row = resolve_on_friday(first)
    in_channel(first, "action Add an EU canary <@U03CAROL|carol> due tue", row)  # Tuesday 1 Dec
    workers = (first.ctx.timer_worker, second.ctx.timer_worker)
    assert workers[0].worker_id != workers[1].worker_id
    start = threading.Barrier(2)

    def tick(worker) -> int:
        start.wait()
        return worker.tick()

    with ThreadPoolExecutor(2) as pool:
        for _ in range(8 * 24):  # hour by hour, to the Saturday after
            first.clock.advance(timedelta(hours=1))
            list(pool.map(tick, workers))
    first.settle()
    second.settle()
    assert len(texts(fake_slack, "U02BOB", REMINDER)) == 1
    assert len(texts(fake_slack, "U02BOB", DUE)) == 1
    assert len(texts(fake_slack, "U03CAROL", ":hourglass_flowing_sand: Due Tue 01 Dec 2026")) == 1
    assert len(texts(fake_slack, "U03CAROL", ":warning: Overdue since Tue 01 Dec 2026")) == 1
    with first.ctx.sessions() as session:
        kinds = sorted(session.scalars(select(Delivery.kind).where(Delivery.kind.in_(
            ["report_reminder", "review_due", "action_due", "action_overdue"]))))
    assert kinds == ["action_due", "action_overdue", "report_reminder", "review_due"]
    assert incident(first).sync_error is None
