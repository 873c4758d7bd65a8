"""``/incident drill``: the whole declare flow marked DRILL on every surface, paging only the people it
names (else the declarer) through their own notification rules, by Slack, push, SMS, a call and e-mail
over real HTTP and SMTP to the fakes; never on the status page; its report times each hop."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser

from bot.core.drills import NO_ACTION
from bot.reports.report import DRILL_TITLE
from bot.slack.ids import Action
from models import Incident, PageState
from tests.console import CONSOLE_TOKEN, Browserless
from tests.driver import http
from tests.fakeproviders.pagerduty import ROUTING_KEY
from tests.integration.helpers import announcement, channel_posts, in_channel, incident, rendered, summary
from tests.integration.paging.test_wake import PHONE, me, run_due
from tests.integration.status.forms import CONFIG as STATUS

CAROL, BOB, ALICE, SEB = "U03CAROL", "U02BOB", "U01ALICE", "U08SEB"
RULES = [{"after": "0m", "via": "slack"}, {"after": "1m", "via": "push"}, {"after": "2m", "via": "sms"},
         {"after": "3m", "via": "call"}, {"after": "4m", "via": "email"}]
CONFIG = {
    **STATUS,
    "schedules": {"primary": {"rotation": "weekly", "handoff": "mon 09:00", "members": [ALICE]}},
    "escalation_policies": {"default": {"renotify_every": "10m", "levels": [
        {"notify": [{"schedule": "primary", "role": "commander"}], "escalate_after": "30m"},
        {"notify": [{"user": "U04DAVE"}]}]}},
    "notification_rules": RULES,
}
USAGE = "Usage: `/incident drill [sevN] &lt;title&gt; [@people…]`"  # as Slack shows it, escaped


def drill(bot, text: str, user: str = BOB) -> str:
    response = bot.command(f"drill {text}", user=user)
    assert response.status == 200, response.body
    bot.settle()
    return response.json()["text"]


def followed(fake) -> str:
    """The answer that followed the ack at the command's response URL."""
    return fake.responses[-1]["text"]


def incidents(bot) -> list[Incident]:
    with bot.ctx.sessions() as session:
        return list(session.query(Incident))


def dms(fake, user: str) -> list[str]:
    return [m["text"] for m in fake.messages(user)]


def test_a_drill_rings_every_way_of_the_named_person_marked_drill_and_times_each_hop(make_bot, providers, fake_slack,
                                                                                     twilio_server, ntfy_server,
                                                                                     smtp_server):
    bot = make_bot(config=CONFIG, CONSOLE_TOKEN=CONSOLE_TOKEN, **providers)
    for what in (f"phone {PHONE}", "push carol-pages", "email carol@example.com"):
        me(bot, what, user=CAROL)
    until = bot.clock.now() + timedelta(hours=8)
    fake_slack.set_dnd(CAROL, until.timestamp())  # the phone on Do Not Disturb the drill is to prove

    assert drill(bot, f"sev1 Payments failover <@{CAROL}|carol>") == \
        f"Checking with Slack that <@{CAROL}> can be paged before the drill starts; the answer follows here."
    answer = followed(fake_slack)
    assert answer.startswith(":construction: *INC-1* is a drill (sev1): Payments failover")
    assert f"Paging <@{CAROL}> through their own notification rules" in answer and NO_ACTION in answer
    row = incident(bot)
    assert row.drill and row.severity == "sev1"
    assert row.channel_name == "drill-1-payments-failover"
    assert fake_slack.channels[row.channel_id]["topic"].startswith("DRILL INC-1 SEV1")
    assert summary(bot, fake_slack)["blocks"][0]["text"]["text"].startswith("DRILL · INC-1 · SEV1")
    assert NO_ACTION in rendered(summary(bot, fake_slack)["blocks"])
    posted = announcement(bot, fake_slack)
    assert posted["text"].startswith(NO_ACTION) and NO_ACTION in rendered(posted["blocks"])

    run_due(bot)
    [page] = dms(fake_slack, CAROL)
    assert page.startswith(f":rotating_light: {NO_ACTION}. You are paged for INC-1 (sev1): Payments failover")
    assert dms(fake_slack, ALICE) == [], "the person on call is not paged by a drill"
    assert f"<@{CAROL}> has Do Not Disturb on until {until:%H:%M}: also paging by push, SMS, phone and e-mail" \
        in channel_posts(bot, fake_slack)

    run_due(bot, timedelta(minutes=1))
    [push] = ntfy_server.pushes
    assert push["title"].startswith("DRILL INC-1 (sev1): Payments failover") and push["message"].startswith(NO_ACTION)
    run_due(bot, timedelta(minutes=1))
    [sms] = twilio_server.messages
    assert sms["to"] == PHONE and sms["body"].startswith(NO_ACTION)
    run_due(bot, timedelta(minutes=1))
    [call] = twilio_server.calls
    assert ET.fromstring(call["twiml"]).find("Gather").find("Say").text.startswith(NO_ACTION)
    run_due(bot, timedelta(minutes=1))
    [mail] = smtp_server.messages
    assert mail["To"] == "carol@example.com" and mail["Subject"].startswith("[PAGE] DRILL INC-1 (sev1): Payments failover")
    assert mail.get_content().startswith(NO_ACTION)

    bot.clock.advance(timedelta(seconds=30))
    assert bot.click(Action.ACKNOWLEDGE, row.id, user=CAROL).status == 200  # the DM's button
    bot.settle()
    row = incident(bot)
    assert row.acknowledged_by == CAROL and [p.state for p in row.pages] == [PageState.ACKNOWLEDGED]
    for _ in range(3):
        run_due(bot, timedelta(minutes=10))
    assert (len(ntfy_server.pushes), len(twilio_server.messages), len(twilio_server.calls),
            len(smtp_server.messages)) == (1, 1, 1, 1)
    assert dms(fake_slack, ALICE) == [] and dms(fake_slack, "U04DAVE") == [], "a drill never escalates"

    report = bot.ctx.reports.draft(row.id)
    section = report.section(DRILL_TITLE)
    hops = [(label, words) for _, label, words, *_ in report.shown(section)]
    assert hops == [
        ("Declared", "by @U02BOB, 0s after the declaration"),
        ("Paged", "@U03CAROL (paged 3 times in all on Slack), 0s after the declaration"),
        ("Reached", "@U03CAROL by Slack DM, 0s after the declaration"),
        ("Reached", "@U03CAROL by push, 1m after the declaration"),
        ("Reached", "@U03CAROL by SMS, 2m after the declaration"),
        ("Reached", "@U03CAROL by phone, 3m after the declaration"),
        ("Reached", "@U03CAROL by e-mail, 4m after the declaration"),
        ("Acknowledged", "the page of @U03CAROL by @U03CAROL, 4m 30s after the declaration"),
    ]
    assert [line.at for line in section.lines] == sorted(line.at for line in section.lines)

    reader = Browserless(bot.url)
    assert reader.post("/auth/signin", {"token": CONSOLE_TOKEN}).status == 303
    assert '<span class="badge drill">drill</span>' in reader.get(f"/incidents/{row.id}").body
    assert '<span class="badge drill">drill</span>' in reader.get("/incidents").body
    markdown = reader.get(f"/incidents/{row.id}/report.md").body
    assert markdown.index("## Summary") < markdown.index(f"## {DRILL_TITLE}") < markdown.index("## Impact")
    assert "by push, 1m after the declaration" in markdown


def test_a_drill_naming_nobody_pages_the_declarer_at_once_and_the_severity_defaults(make_bot, providers, fake_slack):
    bot = make_bot(config=CONFIG, **providers)
    answer = drill(bot, "Failover rehearsal")
    assert answer.startswith(":construction: *INC-1* is a drill (sev3): Failover rehearsal")  # the default severity
    assert f"Paging <@{BOB}> through their own notification rules" in answer
    run_due(bot)
    [page] = dms(fake_slack, BOB)
    assert page.startswith(f":rotating_light: {NO_ACTION}.")
    assert dms(fake_slack, ALICE) == []


def test_a_drill_naming_nobody_reachable_is_not_declared_and_says_why(make_bot, providers, fake_slack):
    bot = make_bot(config=CONFIG, **providers)
    drill(bot, f"Failover <@{SEB}> <@U0NOSUCH>")
    assert followed(fake_slack) == (
        f":warning: No drill was declared: nobody it names can be paged (<@{SEB}>: their account is deactivated; "
        "<@U0NOSUCH>: Slack has no such user in this workspace). Name people from Slack's @ autocomplete who are "
        "in this workspace, or name nobody to page yourself.")
    assert incidents(bot) == [] and fake_slack.calls_to("conversations.create") == []
    run_due(bot)
    assert dms(fake_slack, BOB) == [] and dms(fake_slack, ALICE) == []


def test_a_drill_pages_those_it_can_and_names_those_it_cannot(make_bot, providers, fake_slack):
    bot = make_bot(config=CONFIG, **providers)
    drill(bot, f"sev2 Failover <@{CAROL}> <@{SEB}>")
    answer = followed(fake_slack)
    assert f"Paging <@{CAROL}> through" in answer
    assert f"Not paged (Slack cannot page them): <@{SEB}>: their account is deactivated." in answer
    run_due(bot)
    assert len(dms(fake_slack, CAROL)) == 1 and dms(fake_slack, SEB) == []


def test_mentions_of_unknown_people_and_bad_severities_are_refused_before_anything_is_declared(make_bot, providers,
                                                                                              fake_slack):
    bot = make_bot(config=CONFIG, **providers)
    assert drill(bot, "Failover @nobody") == (
        ":warning: `@nobody` is plain text, not a Slack user. Pick the person from Slack's @ autocomplete so it "
        f"becomes a mention.\n{USAGE}")
    assert "is a user group, not a Slack user" in drill(bot, "Failover <!subteam^S1|@sre>")
    assert drill(bot, "sev9 Failover") == f":warning: Unknown severity `sev9`; use one of sev1, sev2, sev3, sev4.\n{USAGE}"
    assert drill(bot, f"sev9 Failover <@{CAROL}>").startswith(":warning: Unknown severity `sev9`")
    assert drill(bot, f"sev1 <@{CAROL}>") == \
        f":warning: A drill needs a title, what is rehearsed (such as `Payments failover`).\n{USAGE}"
    assert incidents(bot) == [] and fake_slack.calls_to("users.info") == [] and fake_slack.responses == []


def test_a_drill_is_never_on_the_status_page_and_pages_nobody_else(make_bot, providers, fake_slack, pagerduty_server):
    bot = make_bot(config=CONFIG, **providers, PAGERDUTY_ROUTING_KEY=ROUTING_KEY, PAGERDUTY_EVENTS_URL=pagerduty_server.url)
    drill(bot, "sev1 Checkout failover drill")
    row = incident(bot)
    assert "DRILL *INC-1*" in bot.command("list").json()["text"]
    answer = in_channel(bot, "public Customers see this", row, user=BOB)["text"]
    assert answer.startswith(":warning: INC-1 is a drill: drills are never on the status page")
    assert "is a drill: it pages only the people it names" in in_channel(bot, "escalate", row, user=BOB)["text"]
    assert "is a drill" in in_channel(bot, "page checkout", row, user=BOB)["text"]
    in_channel(bot, "sev sev2", row, user=BOB)
    in_channel(bot, "sev sev1", row, user=BOB)  # raised to a paging severity: a real incident would page
    run_due(bot)
    run_due(bot)  # the PagerDuty bridge's timer, written by the first
    assert dms(fake_slack, ALICE) == [] and len(dms(fake_slack, BOB)) == 1
    assert pagerduty_server.events == [], "PagerDuty's escalation would page whoever is on call there"
    page = http("GET", f"{bot.url}/status").body.decode()
    assert "All systems operational" in page and "failover" not in page.lower()
    assert http("GET", f"{bot.url}/status.json").json()["incidents"] == []
    assert feedparser.parse(http("GET", f"{bot.url}/status/feed.atom").body).entries == []
