"""`/incident oncall` and overrides through Slack, and handoffs announced once."""

from datetime import timedelta

from bot.jobs.scheduler import announce_handoffs

SCHEDULES = {
    "timezone": "Europe/Rome",
    "schedules": {"primary": {"rotation": "daily", "handoff": "09:00", "members": ["U01ALICE", "U02BOB"],
                              "channel": "oncall"}},
}


def test_who_is_on_call_now_and_next(make_bot, fake_slack):
    bot = make_bot(config=SCHEDULES)
    text = bot.command("oncall").json()["text"]
    assert text.startswith("*primary*: <@U")
    assert "is on call now" in text and "Next: <@U" in text


def test_an_override_takes_the_shift_and_shows(make_bot, fake_slack):
    bot = make_bot(config=SCHEDULES)
    now_on_call = bot.ctx.oncall.on_call("primary")
    other = "U02BOB" if now_on_call == "U01ALICE" else "U01ALICE"
    answer = bot.command(f"oncall override <@{other}|x> 4h", user="U03CAROL").json()["text"]
    assert answer.startswith(f"<@{other}> is on call for *primary* from ")
    assert bot.ctx.oncall.on_call("primary") == other
    text = bot.command("oncall primary").json()["text"]
    assert f"<@{other}> is on call now (covering, by override" in text
    assert "(set by <@U03CAROL>)" in text


def test_oncall_mistakes_are_explained(make_bot, fake_slack):
    bot = make_bot(config=SCHEDULES)
    assert "secondary" in bot.command("oncall secondary").json()["text"]
    assert "Usage: `/incident oncall override @user <4h|until fri 18:00> [schedule]`" in (
        bot.command("oncall override <@U02BOB|bob>").json()["text"])
    no_schedules = make_bot(config={})
    assert "No on-call schedule is configured" in no_schedules.command("oncall").json()["text"]


def test_a_handoff_is_announced_once(make_bot, fake_slack):
    fake_slack.add_channel("oncall")
    bot = make_bot(config=SCHEDULES)
    incoming = bot.ctx.oncall.who("primary").next
    bot.clock.set(incoming.start + timedelta(minutes=1))
    announce_handoffs(bot.ctx)
    announce_handoffs(bot.ctx)
    bot.settle()
    [dm] = fake_slack.messages(incoming.user)
    assert dm["text"].startswith(":pager: You are now on call for *primary* until ")
    [told] = fake_slack.messages(fake_slack.channel_by_name("oncall")["id"])
    assert told["text"].startswith(f":pager: <@{incoming.user}> is now on call for *primary*")
