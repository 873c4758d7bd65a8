"""`/incident oncall` and overrides through Slack, and handoffs announced once."""

from datetime import timedelta

from bot.core.markup import plain
from bot.features.oncall import announce_handoffs

SCHEDULES = {
    "timezone": "Europe/Rome",
    "schedules": {"primary": {"rotation": "daily", "handoff": "09:00", "members": ["U01ALICE", "U02BOB"],
                              "channel": "oncall"}},
}


def test_who_is_on_call_now_and_next(make_bot, fake_slack):
    """Daily from Mon 2024-01-01 09:00 in Rome, Alice then Bob: on Mon 2026-11-23 at 10:00 in Rome (the test
    clock), 1,057 days later, it is Bob's day since 09:00, and Alice's from tomorrow 09:00."""
    bot = make_bot(config=SCHEDULES)
    text = bot.command("oncall").json()["text"]
    assert text.startswith("*primary*: <@U02BOB> is on call now, since <!date^1795420800^")
    assert "Next: <@U01ALICE> from <!date^1795507200^" in text


def test_with_several_schedules_oncall_lists_them_all(make_bot, fake_slack):
    bot = make_bot(config={**SCHEDULES, "schedules": {
        **SCHEDULES["schedules"], "secondary": {"rotation": "weekly", "handoff": "mon 09:00", "members": ["U04DAVE"]}}})
    text = bot.command("oncall").json()["text"]
    assert "*primary*: <@U02BOB> is on call now" in text and "*secondary*: <@U04DAVE> is on call now" in text
    assert "*secondary*" not in bot.command("oncall primary").json()["text"]


def test_an_override_is_checked_with_slack_takes_the_shift_and_tells_who_it_replaced(make_bot, fake_slack):
    bot = make_bot(config=SCHEDULES)
    answer = bot.command("oncall override <@U01ALICE|alice> 4h", user="U03CAROL").json()["text"]
    assert answer == "Checking <@U01ALICE> with Slack before giving them the shift; the answer follows here."
    bot.settle()
    [taken] = fake_slack.responses_for("cmd1")
    assert taken["text"].startswith("<@U01ALICE> is on call for *primary* from ")
    assert [c.args["user"] for c in fake_slack.calls_to("users.info")] == ["U01ALICE"]
    assert bot.ctx.oncall.on_call("primary") == "U01ALICE"
    [told] = fake_slack.messages("U02BOB")
    assert told["text"].startswith(":pager: <@U03CAROL> put <@U01ALICE> on call for *primary* from ")
    assert "covering your shift" in told["text"]
    text = bot.command("oncall primary").json()["text"]
    assert "<@U01ALICE> is on call now (covering, by override" in text
    assert "(set by <@U03CAROL>)" in text


def test_an_override_for_someone_slack_does_not_know_is_refused(make_bot, fake_slack):
    fake_slack.add_user("U0GONE", name="gone", deleted=True)
    bot = make_bot(config=SCHEDULES)
    for who, why in (("U0NOSUCHUSER", "Slack has no such user in this workspace"),
                     ("U0GONE", "their account is deactivated"), ("UBOT", "they are an app, not a person")):
        bot.command(f"oncall override <@{who}> 14h")
        bot.settle()
        assert fake_slack.responses[-1]["text"] == f":warning: <@{who}> cannot take a shift: {why}. " \
                                                   "Pick someone who can be paged."
    assert bot.ctx.oncall.on_call("primary") == "U02BOB", "nothing was overridden"


def test_an_override_longer_than_the_longest_is_refused_at_once(make_bot, fake_slack):
    bot = make_bot(config=SCHEDULES)
    answer = plain(bot.command("oncall override <@U01ALICE|alice> 14d").json()["text"])
    assert answer.startswith(":warning: An override lasts at most 7d (`overrides.max_duration` in incidents.yaml)")
    bot.settle()
    assert fake_slack.calls_to("users.info") == [] and fake_slack.responses == []


def test_oncall_mistakes_are_explained(make_bot, fake_slack):
    bot = make_bot(config=SCHEDULES)
    assert "secondary" in bot.command("oncall secondary").json()["text"]
    assert "Usage: `/incident oncall override @user <4h|until fri 18:00> [schedule]`" in plain(
        bot.command("oncall override <@U02BOB|bob>").json()["text"])
    no_schedules = make_bot(config={})
    assert "No on-call schedule is configured" in no_schedules.command("oncall").json()["text"]


def test_a_handoff_is_announced_once(make_bot, fake_slack):
    fake_slack.add_channel("oncall")
    bot = make_bot(config=SCHEDULES)
    incoming = bot.ctx.oncall.who("primary").next
    bot.clock.set(incoming.start + timedelta(minutes=1))
    announce_handoffs(bot.ctx.oncall, bot.ctx.notices, bot.ctx.config)
    announce_handoffs(bot.ctx.oncall, bot.ctx.notices, bot.ctx.config)
    bot.settle()
    [dm] = fake_slack.messages(incoming.user)
    assert dm["text"].startswith(":pager: You are now on call for *primary* until ")
    [told] = fake_slack.messages(fake_slack.channel_by_name("oncall")["id"])
    assert told["text"].startswith(f":pager: <@{incoming.user}> is now on call for *primary*")


LAYERED = {
    "timezone": "Europe/Rome",
    "schedules": {"sun": {"layers": [
        {"name": "days", "rotation": "daily", "handoff": "09:00", "members": ["U01ALICE", "U02BOB"],
         "hours": {"days": "mon-fri", "start": "09:00", "end": "18:00"}},
        {"name": "americas", "zone": "America/New_York", "rotation": "weekly", "handoff": "mon 09:00",
         "members": ["U03CAROL"], "hours": {"days": "mon-fri", "start": "09:00", "end": "17:00"}},
    ]}},
}


def test_a_layered_schedule_shows_each_layer_and_says_a_gap(make_bot, fake_slack, clock):
    """Mon 2026-11-23 10:00 in Rome: the day layer's; New York opens at 15:00 Rome and wins until 23:00,
    then nobody until Tuesday 09:00."""
    bot = make_bot(config=LAYERED)
    text = bot.command("oncall").json()["text"]
    assert text.startswith("*sun*: <@U02BOB> is on call now, since <!date^1795420800^")
    assert "Next: <@U03CAROL> from <!date^1795442400^" in text  # 15:00 in Rome
    assert "• _days_: <@U02BOB> now until <!date^1795453200^" in text and ", then nobody (a gap)\n" in text
    assert "• _americas_: nobody (a gap) now until <!date^1795442400^" in text and text.endswith(", then <@U03CAROL>")
    clock.advance(timedelta(hours=14))  # Tuesday 00:00 in Rome
    text = bot.command("oncall").json()["text"]
    assert text.startswith("*sun*: :warning: *nobody is on call now* (no layer covers this time), until "
                           "<!date^1795507200^")
