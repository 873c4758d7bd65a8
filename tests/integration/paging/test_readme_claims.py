"""What the README promises about paging and alerts, each shown through the real app."""

from datetime import timedelta

from tests.integration.helpers import channel_posts, declare, in_channel, incident, rendered, summary
from tests.integration.paging.test_paging import ON_CALL, pages_to, run_due

TWO_LEVELS_TWICE = {
    **ON_CALL,
    "escalation_policies": {"default": {"repeat": 1, "levels": [
        {"notify": [{"schedule": "primary"}], "escalate_after": "5m"},
        {"notify": [{"user": "U04DAVE"}], "escalate_after": "5m"},
    ]}},
}


def test_repeat_runs_the_whole_chain_that_many_more_times_then_stops(make_bot, fake_slack):
    bot = make_bot(config=TWO_LEVELS_TWICE)
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    for _ in range(30):
        run_due(bot, timedelta(minutes=1))
    assert (len(pages_to(fake_slack, "U01ALICE")), len(pages_to(fake_slack, "U04DAVE"))) == (2, 2)
    levels = [(e.data["level"], e.data["cycle"]) for e in incident(bot).events if e.kind == "paged"]
    assert levels == [(0, 0), (1, 0), (0, 1), (1, 1)]


def test_a_user_group_target_pages_each_member(make_bot, fake_slack):
    fake_slack.add_usergroup("S0SRE", "sre", ["U03CAROL", "U04DAVE"])
    bot = make_bot(config={**ON_CALL, "escalation_policies": {"default": {"levels": [
        {"notify": [{"usergroup": "S0SRE", "role": "commander"}]}]}}})
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    assert (len(pages_to(fake_slack, "U03CAROL")), len(pages_to(fake_slack, "U04DAVE"))) == (1, 1)
    assert [c.args["usergroup"] for c in fake_slack.calls_to("usergroups.users.list")] == ["S0SRE"]


def test_a_stakeholder_user_group_gets_each_update_by_dm(make_bot, fake_slack):
    fake_slack.add_usergroup("S0LEADS", "leads", ["U03CAROL", "U04DAVE"])
    bot = make_bot(config={"stakeholders": {"leads": {"usergroups": ["S0LEADS"], "severities": ["sev1"]}}})
    row = declare(bot, "declare sev1 Checkout is down")
    in_channel(bot, "update Card payments fail for EU users", row)
    for member in ("U03CAROL", "U04DAVE"):
        [dm] = fake_slack.messages(member)
        assert "Card payments fail for EU users" in dm["text"]


def test_an_alertmanager_alert_labelled_low_urgency_waits_for_business_hours(make_bot, fake_slack):
    bot = make_bot(config=ON_CALL, WEBHOOK_TOKEN="hook-token")
    bot.clock.set(bot.clock.now().replace(hour=22))  # Monday 22:00 UTC: business hours (UTC) are over
    body = {"version": "4", "status": "firing", "receiver": "incident-bot", "alerts": [{
        "status": "firing", "labels": {"alertname": "ExportSlow", "service": "checkout", "severity": "sev2",
                                       "urgency": "low"},
        "annotations": {"summary": "Report export slow"}, "fingerprint": "f00d"}]}
    assert bot.webhook("alertmanager", body).status == 202
    run_due(bot, timedelta(minutes=3))
    assert pages_to(fake_slack, "U01ALICE") == []
    assert "waits for business hours" in rendered(summary(bot, fake_slack)["blocks"])
    bot.clock.set(bot.clock.now().replace(hour=9) + timedelta(days=1))  # Tuesday 09:00
    run_due(bot)
    assert len(pages_to(fake_slack, "U01ALICE")) == 1
    assert any("paging waits for business hours" in p for p in channel_posts(bot, fake_slack))
