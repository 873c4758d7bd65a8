"""The rate budget: Slack's tiers per method, a post a second per channel with short bursts, and a 429
closing a method for every thread."""

from bot.slack.budget import POST_BURST, Priority, SlackBudget, ranked


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_tier_2_method_gets_twenty_calls_a_minute_then_says_when_the_next_fits():
    clock = Clock()
    budget = SlackBudget(clock)
    assert [budget.take("conversations.create") for _ in range(20)] == [0.0] * 20
    clock.now += 15
    assert budget.take("conversations.create") == 46.0, "the first call leaves the window 61 s after it was made"
    clock.now += 46
    assert budget.take("conversations.create") == 0.0


def test_posts_are_a_second_each_per_channel_after_a_short_burst():
    clock = Clock()
    budget = SlackBudget(clock)
    assert [budget.take("chat.postMessage", "C1") for _ in range(POST_BURST)] == [0.0] * POST_BURST
    assert budget.take("chat.postMessage", "C1") == 1.0
    assert budget.take("chat.postMessage", "C2") == 0.0, "another channel has its own budget"
    clock.now += 1
    assert budget.take("chat.postMessage", "C1") == 0.0


def test_a_429_closes_the_method_for_every_caller_until_retry_after():
    clock = Clock()
    budget = SlackBudget(clock)
    budget.close("users.info", None, 30)
    assert budget.take("users.info") == 30.0
    budget.close("chat.postMessage", "C1", 5)
    assert (budget.take("chat.postMessage", "C1"), budget.take("chat.postMessage", "C2")) == (5.0, 0.0)
    clock.now += 30
    assert budget.take("users.info") == 0.0


def test_a_method_without_a_tier_is_not_limited():
    budget = SlackBudget(Clock())
    assert {budget.take("auth.test") for _ in range(500)} == {0.0}


def test_what_can_wait_leaves_a_reserve_for_what_people_act_on():
    clock = Clock()
    budget = SlackBudget(clock)
    later, change = (Priority.LATER, 1), (Priority.CHANGE, 1)
    assert [budget.take("canvases.edit", rank=later) for _ in range(50)] == [0.0] * 50, \
        "nothing more urgent uses this method: what can wait may use it all"
    assert budget.take("chat.update", rank=change) == 0.0
    assert [budget.take("chat.update", rank=later) for _ in range(34)] == [0.0] * 34
    assert budget.take("chat.update", rank=later) > 0, "the last 30% of a minute's calls are not for counts"
    assert [budget.take("chat.update", rank=change) for _ in range(15)] == [0.0] * 15


def test_the_oldest_incident_refused_goes_first_when_the_budget_frees():
    clock = Clock()
    budget = SlackBudget(clock)
    for _ in range(POST_BURST):
        budget.take("chat.postMessage", "C1")
    first, second = (Priority.NEW, 7), (Priority.NEW, 9)
    assert budget.take("chat.postMessage", "C1", rank=second) == 1.0
    assert budget.take("chat.postMessage", "C1", rank=first) == 1.0
    clock.now += 1
    assert budget.take("chat.postMessage", "C1", rank=second) == 1.0, "INC-7 waits ahead of it: INC-9 waits its turn"
    assert budget.take("chat.postMessage", "C1", rank=first) == 0.0
    clock.now += 1
    assert budget.take("chat.postMessage", "C1", rank=second) == 0.0


def test_a_page_or_a_reply_never_waits_behind_incident_syncs():
    clock = Clock()
    budget = SlackBudget(clock)
    for _ in range(50):
        budget.take("conversations.open", rank=(Priority.NEW, 1))
        clock.now += 1
    sync, page = (Priority.NEW, 2), (Priority.PERSON, 0)
    assert budget.take("conversations.open", rank=sync) == 11.0
    assert budget.take("conversations.open", rank=page) == 11.0
    clock.now += 11
    assert budget.take("conversations.open", rank=sync) > 0, "the sync asked first, but the page goes first"
    assert budget.take("conversations.open", rank=page) == 0.0
    with ranked(Priority.LATER, 3):
        assert budget.take("conversations.open") > 0, "the caller's rank is the default"
