"""Pages that wake people: Do Not Disturb, contact methods, notification rules run as steps until
someone acknowledges, by push (ntfy), SMS and calls (Twilio) and e-mail (SMTP), each over real HTTP
or SMTP to a fake; acknowledging by link, by a key pressed in a call, by an SMS reply."""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from twilio.request_validator import RequestValidator

from models import DeliveryState, PageDelivery, PageState
from tests.console import CONSOLE_TOKEN, Browserless
from tests.driver import http
from tests.fakeproviders import twilio as fake_twilio
from tests.integration.helpers import channel_posts, declare, in_channel, incident

PHONE = "+393471234567"
RULES = [{"after": "0m", "via": "slack"}, {"after": "1m", "via": "push"}, {"after": "3m", "via": "sms"},
         {"after": "5m", "via": "call"}]
CONFIG = {
    "schedules": {"primary": {"rotation": "weekly", "handoff": "mon 09:00", "members": ["U01ALICE"]}},
    "escalation_policies": {"default": {"renotify_every": "10m", "levels": [
        {"notify": [{"schedule": "primary", "role": "commander"}], "escalate_after": "30m"},
        {"notify": [{"user": "U04DAVE"}]}]}},
    "notification_rules": RULES,
}


@pytest.fixture
def wake_bot(make_bot, providers):
    return make_bot(config=CONFIG, **providers)


def run_due(bot, after: timedelta = timedelta(0)) -> None:
    """What a worker does at this time: due timers, then due steps (a lane of their own)."""
    bot.clock.advance(after)
    bot.ctx.timer_worker.tick()
    bot.ctx.step_worker.tick()
    bot.settle()


def me(bot, text: str, user: str = "U01ALICE") -> str:
    response = bot.command(f"me {text}".strip(), user=user)
    assert response.status == 200, response.body
    return response.json()["text"]


def register_alice(bot) -> None:
    me(bot, f"phone {PHONE}")
    me(bot, "push alice-pages")


def signed_post(bot, path: str, form: dict, token: str = fake_twilio.TOKEN):
    """POST a form as Twilio does, signed over the URL Twilio knows (PUBLIC_URL's)."""
    url = f"{bot.ctx.settings.public_url}{path}"
    signature = RequestValidator(token).compute_signature(url, form)
    return http("POST", f"{bot.url}{path}", urllib.parse.urlencode(form).encode(),
                {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})


def deliveries(bot) -> list[PageDelivery]:
    with bot.ctx.sessions() as session:
        return list(session.query(PageDelivery).order_by(PageDelivery.id))


# -- contact methods ---------------------------------------------------------------------------

def test_people_register_their_own_contact_methods_and_bad_numbers_are_refused(wake_bot):
    bot = wake_bot
    assert me(bot, "phone +39 347 123 4567") == f"Phone (SMS and calls) set to {PHONE}. `/incident me test` sends a test page."
    assert "is not a phone number in international form (E.164)" in me(bot, "phone 3471234567")
    assert "is not a phone number in international form (E.164)" in me(bot, "phone +39 12")
    assert "is not an e-mail address" in me(bot, "email alice-at-example")
    assert "set to alice@example.com" in me(bot, "email <mailto:alice@example.com|alice@example.com>")
    assert "is not an ntfy topic" in me(bot, "push bad/topic")
    me(bot, "push alice-pages")
    shown = me(bot, "")
    assert PHONE in shown and "alice@example.com" in shown and "alice-pages" in shown
    assert "Slack at once, push after 1m, SMS after 3m, phone after 5m" in shown
    assert "not set" in me(bot, "", user="U02BOB")
    assert "removed" in me(bot, "email off")
    assert "alice@example.com" not in me(bot, "")


def test_me_test_sends_a_test_by_each_method_and_says_what_happened(wake_bot, twilio_server, ntfy_server, smtp_server):
    bot = wake_bot
    register_alice(bot)
    me(bot, "email alice@example.com")
    response = bot.command("me test", user="U01ALICE")
    assert response.json()["text"].startswith("Sending a test page")
    bot.settle()
    [answer] = [body for body in bot.fake.responses if "Test pages" in body.get("text", "")]
    assert f"SMS: sent to {PHONE}" in answer["text"] and "push: sent to alice-pages" in answer["text"]
    assert "e-mail: sent to alice@example.com" in answer["text"]
    assert len(twilio_server.messages) == 1 and len(twilio_server.calls) == 1 and len(ntfy_server.pushes) == 1
    assert smtp_server.messages[0]["To"] == "alice@example.com"


# -- the whole flow ---------------------------------------------------------------------------

def test_dnd_then_push_sms_call_and_press_1_acknowledges_then_nothing_more(wake_bot, fake_slack, twilio_server,
                                                                          ntfy_server):
    bot = wake_bot
    register_alice(bot)
    until = bot.clock.now() + timedelta(hours=6)
    fake_slack.set_dnd("U01ALICE", until.timestamp())
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    assert f"<@U01ALICE> has Do Not Disturb on until {until:%H:%M}: also paging by push, SMS and phone" \
        in channel_posts(bot, fake_slack)
    assert ntfy_server.pushes == []

    run_due(bot, timedelta(minutes=1))
    [push] = ntfy_server.pushes
    assert (push["topic"], push["priority"]) == ("alice-pages", 5)
    assert push["title"].startswith("INC-1 (sev1): Checkout is down")
    [action] = push["actions"]
    assert (action["action"], action["label"], action["method"]) == ("http", "Acknowledge", "POST")
    assert action["url"].startswith("https://bot.example.com/ack/")
    assert twilio_server.messages == []

    run_due(bot, timedelta(minutes=2))
    [sms] = twilio_server.messages
    assert (sms["to"], sms["from"]) == (PHONE, fake_twilio.FROM) and "https://bot.example.com/ack/" in sms["body"]
    assert twilio_server.calls == []

    run_due(bot, timedelta(minutes=2))
    [call] = twilio_server.calls
    twiml = ET.fromstring(call["twiml"])
    gather = twiml.find("Gather")
    assert "Checkout is down" in gather.find("Say").text and "Press 1" in gather.find("Say").text
    action_url = gather.get("action")
    assert action_url.startswith("https://bot.example.com/webhooks/twilio/voice?ack=")

    path = action_url.removeprefix("https://bot.example.com")
    answer = signed_post(bot, path, {"CallSid": call["sid"], "Digits": "1", "From": fake_twilio.FROM, "To": PHONE})
    assert answer.status == 200 and b"You acknowledged INC-1" in answer.body
    bot.settle()
    row = incident(bot)
    assert row.acknowledged_by == "U01ALICE" and [p.state for p in row.pages] == [PageState.ACKNOWLEDGED]

    for _ in range(4):
        run_due(bot, timedelta(minutes=10))
    assert (len(ntfy_server.pushes), len(twilio_server.messages), len(twilio_server.calls)) == (1, 1, 1)
    assert not [m for m in fake_slack.messages("U04DAVE")], "level 2 is never paged after the acknowledgement"
    posts = channel_posts(bot, fake_slack)
    assert {"Reached <@U01ALICE> by push", "Reached <@U01ALICE> by SMS", "Reached <@U01ALICE> by phone"} <= set(posts)


def test_dnd_with_no_other_way_says_so_and_the_escalation_runs(wake_bot, fake_slack):
    bot = wake_bot
    fake_slack.set_dnd("U01ALICE", (bot.clock.now() + timedelta(hours=2)).timestamp())
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    run_due(bot, timedelta(minutes=10))  # a renotify: said once only
    dnd = [p for p in channel_posts(bot, fake_slack) if "Do Not Disturb" in p]
    assert len(dnd) == 1 and "no other way to reach them is set up" in dnd[0]
    run_due(bot, timedelta(minutes=20))
    assert "Paged <@U04DAVE>: level 2 of `default` (declared sev1)" in channel_posts(bot, fake_slack)


def test_without_dnd_no_warning(wake_bot, fake_slack):
    bot = wake_bot
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    assert fake_slack.calls_to("dnd.info")
    assert not [p for p in channel_posts(bot, fake_slack) if "Do Not Disturb" in p]


# -- nothing lost, nothing doubled -------------------------------------------------------------

def test_a_provider_outage_is_retried_and_delivered_once(wake_bot, fake_slack, ntfy_server):
    bot = wake_bot
    register_alice(bot)
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    ntfy_server.fail(503, times=3)  # the first send; then the look-up and the send of the second attempt
    run_due(bot, timedelta(minutes=1))
    assert ntfy_server.pushes == []
    run_due(bot, timedelta(seconds=20))  # the retry ladder: 15 s, then 30 s
    assert ntfy_server.pushes == []
    run_due(bot, timedelta(seconds=40))
    assert len(ntfy_server.pushes) == 1
    run_due(bot, timedelta(minutes=1))
    assert len(ntfy_server.pushes) == 1
    [push] = [d for d in deliveries(bot) if d.method == "push"]
    assert (push.state, push.attempts, push.provider_ref) == (DeliveryState.SENT, 2, ntfy_server.pushes[0]["id"])
    attempts = [(e.kind, e.data.get("result")) for e in incident(bot).events if e.data.get("method") == "push"]
    assert attempts == [("page_step_failed", "failed"), ("page_step_failed", "failed"), ("page_step", "sent")]
    assert "Reached <@U01ALICE> by push after 2 failed attempts" in channel_posts(bot, fake_slack)


def test_an_sms_whose_answer_was_lost_is_found_not_sent_again(wake_bot, twilio_server):
    bot = wake_bot
    register_alice(bot)
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    twilio_server.lose_answers(1)
    run_due(bot, timedelta(minutes=3))  # push at 1m is due too: it goes first, SMS's answer is lost
    assert len(twilio_server.messages) == 1
    run_due(bot, timedelta(minutes=1))
    assert len(twilio_server.messages) == 1, "the lost SMS is looked up, not sent twice"
    [sms] = [d for d in deliveries(bot) if d.method == "sms"]
    assert (sms.state, sms.provider_ref) == (DeliveryState.SENT, twilio_server.messages[0]["sid"])


@pytest.mark.parametrize("lookup_status", [404, 503])  # a key without read rights; an outage of the list
def test_a_failed_look_up_never_holds_an_sms_back(wake_bot, fake_slack, twilio_server, lookup_status):
    bot = wake_bot
    register_alice(bot)
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    twilio_server.lose_answers(1)
    run_due(bot, timedelta(minutes=3))
    twilio_server.refuse_lists(lookup_status)  # every look-up fails; sending works
    run_due(bot, timedelta(minutes=1))
    assert len(twilio_server.messages) == 2, "sent again: a possible duplicate beats a person not woken"
    [sms] = [d for d in deliveries(bot) if d.method == "sms"]
    assert (sms.state, sms.provider_ref) == (DeliveryState.SENT, twilio_server.messages[1]["sid"])
    [said] = [p for p in channel_posts(bot, fake_slack) if p.startswith("Reached <@U01ALICE> by SMS")]
    assert "it may arrive twice" in said and "asking the provider whether it arrived failed" in said
    run_due(bot, timedelta(minutes=5))
    assert len(twilio_server.messages) == 2
    twilio_server.problems.clear()  # the refused look-ups


def test_a_number_twilio_refuses_is_given_up_and_said(wake_bot, fake_slack, twilio_server):
    bot = wake_bot
    me(bot, "phone +15005550001")
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    run_due(bot, timedelta(minutes=3))
    run_due(bot, timedelta(minutes=1))
    assert len(twilio_server.problems) == 1
    twilio_server.problems.clear()
    assert any("Could not reach <@U01ALICE> by SMS" in p and "Not retried" in p for p in channel_posts(bot, fake_slack))
    [sms] = [d for d in deliveries(bot) if d.method == "sms"]
    assert sms.state == DeliveryState.FAILED


def test_an_acknowledgement_between_a_steps_check_and_its_send_stops_it(wake_bot, ntfy_server, monkeypatch):
    bot = wake_bot
    register_alice(bot)
    row = declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    steps, outgoing = bot.ctx.steps, bot.ctx.steps.outgoing

    def acknowledged_meanwhile(delivery, incident):
        """The step has read its row and found the page ringing; Bob acknowledges just then."""
        bot.ctx.incidents.acknowledge(row.id, "U02BOB")
        return outgoing(delivery, incident)

    monkeypatch.setattr(steps, "outgoing", acknowledged_meanwhile)
    run_due(bot, timedelta(minutes=1))
    assert ntfy_server.pushes == [], "no push after the acknowledgement"
    assert {d.method: d.state for d in deliveries(bot)}["push"] == DeliveryState.CANCELLED


# -- acknowledging outside Slack ------------------------------------------------------------------

def pushed_ack_token(bot, ntfy_server) -> str:
    """Page Alice until the push step has gone; the token of its Acknowledge action."""
    register_alice(bot)
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    run_due(bot, timedelta(minutes=1))
    return ntfy_server.pushes[0]["actions"][0]["url"].rsplit("/", 1)[1]


def test_the_ack_link_asks_then_acknowledges_once(wake_bot, ntfy_server):
    bot = wake_bot
    token = pushed_ack_token(bot, ntfy_server)

    shown = http("GET", f"{bot.url}/ack/{token}")
    assert shown.status == 200 and b"Acknowledge INC-1?" in shown.body
    assert incident(bot).acknowledged_at is None, "a link preview must not acknowledge"

    done = http("POST", f"{bot.url}/ack/{token}")
    assert done.status == 200 and b"You acknowledged INC-1" in done.body
    assert incident(bot).acknowledged_by == "U01ALICE"
    again = http("POST", f"{bot.url}/ack/{token}")
    assert again.status == 403 and b"used already" in again.body
    forged = http("POST", f"{bot.url}/ack/{token[:-3]}abc")
    assert forged.status == 403 and b"not one the bot made" in forged.body
    run_due(bot, timedelta(minutes=10))
    assert len(ntfy_server.pushes) == 1


def test_an_expired_ack_link_is_refused(wake_bot, ntfy_server):
    bot = wake_bot
    token = pushed_ack_token(bot, ntfy_server)
    bot.clock.advance(timedelta(hours=25))
    answer = http("POST", f"{bot.url}/ack/{token}")
    assert answer.status == 403 and b"expired" in answer.body
    assert incident(bot).acknowledged_at is None


def test_an_sms_reply_ack_acknowledges_and_forged_webhooks_are_refused(wake_bot, twilio_server):
    bot = wake_bot
    register_alice(bot)
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    run_due(bot, timedelta(minutes=3))
    assert len(twilio_server.messages) == 1
    reply = {"From": PHONE, "To": fake_twilio.FROM, "Body": " ack ", "MessageSid": "SM" + "1" * 32}
    forged = signed_post(bot, "/webhooks/twilio/sms", reply, token="not-the-token")
    assert forged.status == 403
    unsigned = http("POST", f"{bot.url}/webhooks/twilio/sms", urllib.parse.urlencode(reply).encode(),
                    {"Content-Type": "application/x-www-form-urlencoded"})
    assert unsigned.status == 403
    voice = signed_post(bot, "/webhooks/twilio/voice?ack=x", {"Digits": "1"}, token="not-the-token")
    assert voice.status == 403
    assert incident(bot).acknowledged_at is None

    answer = signed_post(bot, "/webhooks/twilio/sms", reply)
    assert answer.status == 200 and b"You acknowledged INC-1" in answer.body
    assert incident(bot).acknowledged_by == "U01ALICE"
    run_due(bot, timedelta(minutes=5))
    assert twilio_server.calls == []


def test_e_mail_steps_go_through_a_real_smtp_server(make_bot, providers, smtp_server):
    config = {**CONFIG, "notification_rules": [{"after": "0m", "via": "slack"}, {"after": "2m", "via": "email"}]}
    bot = make_bot(config=config, **providers)
    me(bot, "email alice@example.com")
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    run_due(bot, timedelta(minutes=2))
    [mail] = smtp_server.messages
    assert mail["To"] == "alice@example.com" and mail["From"] == "pages@example.com"
    assert mail["Subject"] == "[PAGE] INC-1 (sev1): Checkout is down"
    assert "https://bot.example.com/ack/" in mail.get_content()


def test_two_workers_ticking_at_once_send_each_step_once(make_bot, providers, twilio_server, ntfy_server):
    one, two = make_bot(config=CONFIG, **providers), make_bot(config=CONFIG, **providers)
    register_alice(one)
    declare(one, "declare sev1 Checkout is down", user="U02BOB")
    run_due(one)
    one.clock.advance(timedelta(minutes=6))  # push, SMS and the call are all due
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(3):
            list(pool.map(lambda bot: bot.ctx.step_worker.tick(), (one, two)))
    assert (len(ntfy_server.pushes), len(twilio_server.messages), len(twilio_server.calls)) == (1, 1, 1)
    assert {d.state for d in deliveries(one)} == {DeliveryState.SENT}


def test_a_persons_own_rules_come_before_the_files(wake_bot, ntfy_server, twilio_server):
    bot = wake_bot
    register_alice(bot)
    assert "is not a step" in me(bot, "rules 0m slack, 1m fax")
    assert "is not a duration" in me(bot, "rules 0m slack, soon sms")
    assert me(bot, "rules 2m sms, 0m slack") == "Your steps are now: 0m slack, 2m sms, until you acknowledge."
    assert "Slack at once, SMS after 2m" in me(bot, "")
    declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    run_due(bot, timedelta(minutes=2))
    run_due(bot, timedelta(minutes=5))
    assert (len(twilio_server.messages), ntfy_server.pushes, twilio_server.calls) == (1, [], [])
    assert me(bot, "rules default").startswith("The configured steps apply to you again: 0m slack, 1m push, 3m sms")


def test_the_console_shows_who_was_reached_how(make_bot, providers, ntfy_server):
    bot = make_bot(config=CONFIG, CONSOLE_TOKEN=CONSOLE_TOKEN, **providers)
    register_alice(bot)
    row = declare(bot, "declare sev1 Checkout is down", user="U02BOB")
    run_due(bot)
    run_due(bot, timedelta(minutes=1))
    assert len(ntfy_server.pushes) == 1
    in_channel(bot, "ack", row, user="U01ALICE")
    reader = Browserless(bot.url)
    assert reader.post("/auth/signin", {"token": CONSOLE_TOKEN}).status == 303
    page = reader.get(f"/incidents/{row.id}").body
    steps = page[page.index("Besides Slack"):page.index('id="actions"')]
    rows = [chunk.split("</tr>")[0] for chunk in steps.split("<tr>")[2:]]
    assert ["push" in rows[0] and "reached" in rows[0], "SMS" in rows[1] and "not needed (acknowledged)" in rows[1],
            "phone" in rows[2] and "not needed (acknowledged)" in rows[2]] == [True] * 3, rows
