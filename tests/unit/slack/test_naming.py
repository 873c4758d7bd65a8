import re

from hypothesis import given
from hypothesis import strategies as st

from bot.slack.naming import MAX_CHANNEL_NAME, channel_name, slugify

SLACK_NAME = re.compile(r"^[a-z0-9-]+$")


def test_channel_name_is_prefix_number_slug():
    assert channel_name("inc", 42, "Checkout API returns 500!") == "inc-42-checkout-api-returns-500"


def test_accents_are_folded_and_symbols_dropped():
    assert slugify("Zahlungsausfall: Größe & Übersicht 🔥") == "zahlungsausfall-grosse-ubersicht"


def test_titles_in_other_scripts_are_transliterated_not_dropped():
    assert channel_name("inc", 7, "Оплата не работает") == "inc-7-oplata-ne-rabotaet"
    assert channel_name("inc", 8, "Η πληρωμή δεν λειτουργεί") == "inc-8-e-plerome-den-leitourgei"
    japanese = channel_name("inc", 9, "決済が動かない")
    assert japanese.startswith("inc-9-") and len(japanese) > len("inc-9-") + 4


def test_a_title_with_no_latin_letters_keeps_the_number():
    assert channel_name("inc", 7, "🔥🔥🔥") == "inc-7"
    assert channel_name("inc", 7, "🔥🔥🔥", attempt=2) == "inc-7-2"


def test_taken_names_get_a_suffix_that_always_fits():
    long_title = "database " * 30
    first, second = channel_name("inc", 12345, long_title), channel_name("inc", 12345, long_title, attempt=2)
    assert len(first) <= MAX_CHANNEL_NAME and len(second) <= MAX_CHANNEL_NAME
    assert second.endswith("-2") and not first.endswith("-")
    assert first.startswith("inc-12345-database-database")


@given(title=st.text(max_size=300), number=st.integers(1, 10**7), attempt=st.integers(1, 25))
def test_every_name_is_one_slack_accepts(title, number, attempt):
    name = channel_name("inc", number, title, attempt)
    assert len(name) <= MAX_CHANNEL_NAME
    assert SLACK_NAME.match(name), name
    assert "--" not in name and not name.endswith("-")
