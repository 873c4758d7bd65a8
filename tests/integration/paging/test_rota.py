"""Time off, cover requests, and gaps and conflicts seen ahead, through Slack (fake Slack, both databases).

The test clock is Mon 2026-11-23 10:00 in Rome. ``primary`` is daily at 09:00, Alice, Bob, Carol from
Mon 2024-01-01: today (day 1057) is Bob's, tomorrow Carol's, Wednesday Alice's."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from bot.core.db import make_session_factory
from bot.core.errors import UserError
from bot.paging.cover import CoverService
from bot.paging.gaps import GapCheck
from bot.slack.ids import Action
from bot.slack.rota_notices import RotaNotices
from models.oncall import CoverRequest, FindingNotice, Override, TimeOff

ALICE, BOB, CAROL, DAVE = "U01ALICE", "U02BOB", "U03CAROL", "U04DAVE"
UTC = timezone.utc
TODAY_0900 = datetime(2026, 11, 23, 8, tzinfo=UTC)
DAY = timedelta(days=1)


def config(**more):
    return {"timezone": "Europe/Rome", "oncall": {"gaps_channel": "oncall-gaps"},
            "schedules": {"primary": {"rotation": "daily", "handoff": "09:00", "members": [ALICE, BOB, CAROL],
                                      "channel": "oncall"}}, **more}


def started(make_bot, fake_slack, **more):
    for name in ("oncall", "oncall-gaps"):
        if fake_slack.channel_by_name(name) is None:
            fake_slack.add_channel(name)
    return make_bot(config=config(**more))


def posts(fake_slack, channel: str) -> list[str]:
    return [m["text"] for m in fake_slack.messages(fake_slack.channel_by_name(channel)["id"])]


def count(bot, model) -> int:
    with make_session_factory(bot.ctx.engine)() as session:
        return session.scalar(select(func.count()).select_from(model))


# --- time off ---------------------------------------------------------------------------------------


def test_time_off_hands_the_shifts_to_the_next_member_who_is_told(make_bot, fake_slack):
    bot = started(make_bot, fake_slack)
    answer = bot.command("oncall away now tomorrow", user=BOB).json()["text"]
    assert answer.startswith(":palm_tree: You are away from <!date^")
    assert "(time off 1; `/incident oncall away cancel 1` undoes it)" in answer
    assert "• *primary* from <!date^" in answer and ": <@U03CAROL>" in answer
    bot.settle()
    [told] = fake_slack.messages(CAROL)
    assert told["text"].startswith(":pager: <@U02BOB> is away: you are on call in their place\n• *primary* from ")
    assert bot.ctx.oncall.on_call("primary") == CAROL
    assert bot.ctx.oncall.on_call("primary", TODAY_0900 + 2 * DAY) == ALICE, "Wednesday is Alice's as before"
    listed = bot.command("oncall away list", user=BOB).json()["text"]
    assert listed.startswith("Your time off ahead:\n1. from <!date^")
    cancelled = bot.command("oncall away cancel 1", user=BOB).json()["text"]
    assert cancelled.startswith("Time off 1 (from ") and cancelled.endswith("is cancelled: your shifts are yours again.")
    assert bot.ctx.oncall.on_call("primary") == BOB
    again = bot.command("oncall away cancel 1", user=BOB).json()["text"]
    assert "You have no time off number 1 ahead; `/incident oncall away list` shows yours." in again


def test_time_off_mistakes_are_answered_with_the_right_form(make_bot, fake_slack):
    bot = started(make_bot, fake_slack)
    for text, message in (
        ("oncall away 31 feb 2 mar", "`31 feb` is not a date: February 2026 has 28 days."),
        ("oncall away 2026-11-01 2026-11-02", "which is already past; give an end that is ahead."),
        ("oncall away now in 70d", "That lasts 70d, longer than the 60d allowed; end it by "),
        ("oncall away tomorrow", "Say until when too, after `tomorrow`"),
        ("oncall away now fri primary", "`primary` is more than a range: give the start and the end."),
        ("oncall away cancel one", "Say which one to cancel by its number, such as `away cancel 3`."),
    ):
        answer = bot.command(text, user=BOB).json()["text"]
        assert message in answer, (text, answer)
        assert "Usage: `/incident oncall away &lt;from&gt; &lt;to&gt;|list|cancel &lt;n&gt;`" in answer, "the right form"
    assert count(bot, TimeOff) == 0


def test_the_longest_time_off_is_the_files(make_bot, fake_slack):
    bot = started(make_bot, fake_slack, oncall={"gaps_channel": "oncall-gaps", "max_time_off": "14d"})
    answer = bot.command("oncall away now in 20d", user=BOB).json()["text"]
    assert "That lasts 20d, longer than the 14d allowed; end it by " in answer
    assert count(bot, TimeOff) == 0
    assert bot.command("oncall away now in 10d", user=BOB).json()["text"].startswith(":palm_tree: You are away")
    assert count(bot, TimeOff) == 1


def test_time_off_of_every_member_for_a_whole_rotation_is_a_gap_said_once(make_bot, fake_slack):
    bot = started(make_bot, fake_slack)
    for user in (ALICE, BOB, CAROL):
        bot.command("oncall away now 2026-11-26", user=user)
    bot.settle()
    assert bot.ctx.oncall.on_call("primary") is None
    gaps = bot.command("oncall gaps", user=DAVE).json()["text"]
    assert gaps.startswith("Gaps and conflicts in the next 14d:\n:warning: *primary*: nobody is on call from <!date^")
    said = [text for text in posts(fake_slack, "oncall-gaps") if "nobody is on call" in text]
    assert len(said) == 1, "with two away the third covers: only the third's time off makes a gap"
    notices = RotaNotices(bot.ctx.gateway, bot.ctx.config, CoverService(bot.ctx.sessions, bot.ctx.config, bot.ctx.clock,
                                                                        bot.ctx.oncall),
                          GapCheck(bot.ctx.sessions, bot.ctx.config, bot.ctx.clock, bot.ctx.oncall))
    notices.say_findings()  # a second worker, or this one after a restart
    assert len([t for t in posts(fake_slack, "oncall-gaps") if "nobody is on call" in t]) == 1
    bot.command("oncall away cancel 3", user=CAROL)
    bot.command("oncall away now tomorrow", user=CAROL)  # a shorter time off: a shorter gap
    bot.settle()
    said = [t for t in posts(fake_slack, "oncall-gaps") if "nobody is on call" in t]
    assert len(said) == 2 and said[0] != said[1], "a changed gap is said again"


def test_the_daily_timer_row_is_armed_once_and_says_what_is_new(make_bot, fake_slack):
    bot = started(make_bot, fake_slack, schedules={"days": {"layers": [
        {"name": "days", "members": [ALICE], "hours": {"days": "mon-fri", "start": "09:00", "end": "18:00"}}]}})
    gaps = GapCheck(bot.ctx.sessions, bot.ctx.config, bot.ctx.clock, bot.ctx.oncall)
    gaps.arm()
    gaps.arm()
    from models import Timer
    with make_session_factory(bot.ctx.engine)() as session:
        rows = session.scalars(select(Timer).where(Timer.kind == "oncall.gaps", Timer.done_at.is_(None))).all()
    assert len(rows) == 1
    bot.ctx.clock.advance(DAY + timedelta(hours=1))
    bot.ctx.timer_worker.tick()
    bot.settle()
    [said] = posts(fake_slack, "oncall-gaps")  # the findings of one check, one line each, in one message
    lines = said.splitlines()
    assert len(lines) > 5 and all(line.startswith(":warning: *days*: nobody is on call from ") for line in lines)
    assert count(bot, FindingNotice) == len(lines)


# --- conflicts ------------------------------------------------------------------------------------


def test_someone_on_call_while_away_and_too_long_in_a_row_are_conflicts(make_bot, fake_slack):
    bot = started(make_bot, fake_slack, oncall={"max_hours_in_a_row": 30, "gaps_channel": "oncall-gaps"})
    bot.command("oncall away tomorrow wed", user=ALICE)
    with make_session_factory(bot.ctx.engine).begin() as session:  # someone put Alice on call tomorrow anyway
        session.add(Override(schedule="primary", user_id=ALICE, starts_at=TODAY_0900 + DAY + timedelta(hours=2),
                             ends_at=TODAY_0900 + DAY + timedelta(hours=4), created_by=DAVE,
                             created_at=bot.ctx.clock.now()))
    text = bot.command("oncall gaps primary").json()["text"]
    assert ":warning: *primary*: <@U01ALICE> is on call while away, from <!date^" in text
    solo = started(make_bot, fake_slack, oncall={"max_hours_in_a_row": 30},
                   schedules={"solo": {"rotation": "weekly", "members": [DAVE]}})
    assert ":warning: <@U04DAVE> is on call from <!date^" in solo.command("oncall gaps").json()["text"]
    assert "without a break (*solo*)" in solo.command("oncall gaps").json()["text"]


def test_a_member_removed_from_the_file_with_time_off_or_an_override_ahead_is_said_not_a_crash(make_bot, fake_slack):
    bot = started(make_bot, fake_slack)
    bot.command("oncall away tomorrow wed", user=DAVE)  # Dave has left the rota (or never was in it)
    with make_session_factory(bot.ctx.engine).begin() as session:
        session.add(Override(schedule="old-rota", user_id=BOB, starts_at=TODAY_0900 + DAY, ends_at=TODAY_0900 + 2 * DAY,
                             created_by=BOB, created_at=bot.ctx.clock.now()))
    text = bot.command("oncall gaps").json()["text"]
    assert ":information_source: <@U04DAVE> has an override or time off from " in text and "but is in no schedule" in text
    assert "in *old-rota*, a schedule no longer in the file; tidy it up." in text
    assert bot.command("oncall").json()["text"].startswith("*primary*: <@U02BOB> is on call now")


# --- cover requests ---------------------------------------------------------------------------------


def test_a_cover_request_is_posted_taken_by_the_first_and_shows_who(make_bot, fake_slack):
    bot = started(make_bot, fake_slack)
    answer = bot.command("oncall cover now in 4h", user=BOB).json()["text"]
    assert answer.startswith("Cover request 1 goes to #oncall; you are told when someone takes it")
    bot.settle()
    [posted] = fake_slack.messages(fake_slack.channel_by_name("oncall")["id"])
    assert posted["text"].startswith(":sos: <@U02BOB> asks for cover on *primary* from <!date^")
    [button] = [e for b in posted["blocks"] if b.get("accessory") for e in [b["accessory"]]]
    assert (button["action_id"], button["value"]) == (Action.TAKE_COVER, "1")
    bot.click(Action.TAKE_COVER, 1, user=CAROL)
    bot.settle()
    assert bot.ctx.oncall.on_call("primary") == CAROL
    [updated] = fake_slack.messages(fake_slack.channel_by_name("oncall")["id"])
    assert updated["text"].endswith(":white_check_mark: <@U03CAROL> took it.") and updated["update_count"] == 1
    assert any(m["text"].startswith(":white_check_mark: <@U03CAROL> took your cover request") for m in fake_slack.messages(BOB))
    bot.click(Action.TAKE_COVER, 1, user=ALICE)
    bot.settle()
    assert fake_slack.responses[-1]["text"] == ":no_entry: <@U03CAROL> took it first."
    assert count(bot, Override) == 1
    refused = bot.command("oncall cover cancel 1", user=BOB).json()["text"]
    assert "Cover request 1 cannot be cancelled: it has been taken." in refused


def test_two_people_pressing_take_it_at_once_never_both_get_it(make_bot, fake_slack):
    bot = started(make_bot, fake_slack)
    cover = CoverService(bot.ctx.sessions, bot.ctx.config, bot.ctx.clock, bot.ctx.oncall)
    for _ in range(5):
        row = cover.ask(BOB, "now", "in 2h", None)
        winners, losers, ready = [], [], threading.Barrier(2)

        def press(user, row=row, winners=winners, losers=losers, ready=ready):
            ready.wait()
            try:
                winners.append(cover.take(row.id, user).taken_by)
            except UserError as error:
                losers.append(error.message)

        threads = [threading.Thread(target=press, args=(user,)) for user in (ALICE, CAROL)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(winners) == 1 and len(losers) == 1, (winners, losers)
        assert losers[0] == f"<@{winners[0]}> took it first."
    assert count(bot, Override) == 5


def test_cover_requests_refuse_a_past_range_and_cancel_while_untaken(make_bot, fake_slack):
    bot = started(make_bot, fake_slack)
    past = bot.command("oncall cover 2026-11-20 2026-11-21", user=BOB).json()["text"]
    assert "which is already past; give an end that is ahead." in past
    assert "Usage: `/incident oncall cover &lt;from&gt; &lt;to&gt; [schedule]|cancel &lt;n&gt;`" in past
    assert "Unknown schedule `nosuch`" in bot.command("oncall cover now in 2h nosuch", user=BOB).json()["text"]
    bot.command("oncall cover tomorrow 09:00 tomorrow 18:00 primary", user=BOB)
    bot.settle()
    assert bot.command("oncall cover cancel 1", user=CAROL).json()["text"].startswith(
        ":warning: Cover request 1 cannot be cancelled: you have no open one with that number.")
    assert bot.command("oncall cover cancel 1", user=BOB).json()["text"] == "Cover request 1 is cancelled."
    bot.settle()
    [posted] = fake_slack.messages(fake_slack.channel_by_name("oncall")["id"])
    assert posted["text"].endswith("Cancelled by <@U02BOB>.") and not any(b.get("accessory") for b in posted["blocks"])
    bot.click(Action.TAKE_COVER, 1, user=CAROL)
    bot.settle()
    assert fake_slack.responses[-1]["text"] == ":no_entry: That cover request was cancelled."
    assert count(bot, CoverRequest) == 1 and count(bot, Override) == 0
