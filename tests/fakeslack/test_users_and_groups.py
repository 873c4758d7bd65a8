"""Self-tests of the workspace's people: users.info and user groups."""

from __future__ import annotations

from tests.fakeslack.checks import error_of


def test_user_groups_answer_from_the_workspace(fake, client):
    fake.add_usergroup("S01ONCALL", "sre-oncall", ["U01ALICE", "U02BOB"], name="SRE on call")
    fake.add_usergroup("S02DBA", "dba", [])
    assert client.usergroups_users_list(usergroup="S01ONCALL")["users"] == ["U01ALICE", "U02BOB"]
    fake.set_usergroup_members("S01ONCALL", ["U03CAROL"])
    assert client.usergroups_users_list(usergroup="S01ONCALL")["users"] == ["U03CAROL"]
    assert client.usergroups_users_list(usergroup="S02DBA")["users"] == []
    assert error_of(lambda: client.usergroups_users_list(usergroup="S404")) == "no_such_subteam"
    assert fake.usergroups["S01ONCALL"]["users"] == ["U03CAROL"]


def test_usergroups_list_is_shaped_like_the_reference(fake, client):
    fake.add_usergroup("S01ONCALL", "sre-oncall", ["U01ALICE", "U02BOB"], name="SRE on call")
    example = fake.ref.ok_example("usergroups.list")["usergroups"][0]
    [group] = client.usergroups_list()["usergroups"]
    assert set(group) == set(example) - {"user_count"}
    assert (group["id"], group["handle"], group["name"], group["is_usergroup"]) == (
        "S01ONCALL", "sre-oncall", "SRE on call", True)
    [counted] = client.usergroups_list(include_count=True, include_users=True)["usergroups"]
    assert (counted["user_count"], counted["users"]) == ("2", ["U01ALICE", "U02BOB"])


def test_users_info_shows_deleted_users_and_bots(fake, client):
    fake.add_user("U09GONE", name="gone", deleted=True)
    fake.add_user("U08PAGER", name="pagerbot", is_bot=True)
    fake.add_user("U01ALICE", name="alice")
    gone = client.users_info(user="U09GONE")["user"]
    assert (gone["id"], gone["deleted"], gone["is_bot"]) == ("U09GONE", True, False)
    assert client.users_info(user="U08PAGER")["user"]["is_bot"] is True
    alice = client.users_info(user="U01ALICE")["user"]
    assert (alice["deleted"], alice["is_bot"], alice["profile"]["email"]) == (False, False, "alice@example.com")
    assert client.users_info(user="UBOT")["user"]["is_bot"] is True
    assert error_of(lambda: client.users_info(user="U404")) == "user_not_found"


def test_users_lookup_by_email_finds_a_profile_ignoring_case(fake, client):
    fake.add_user("U01ALICE", name="alice")
    found = client.users_lookupByEmail(email="Alice@Example.com")["user"]
    assert (found["id"], found["profile"]["email"]) == ("U01ALICE", "alice@example.com")
    assert set(found) >= set(fake.ref.ok_example("users.lookupByEmail")["user"]) - {"has_2fa"}
    assert error_of(lambda: client.users_lookupByEmail(email="nobody@example.com")) == "users_not_found"


def test_users_list_pages_with_cursors_and_lists_profiles(fake, client):
    for number in range(5):
        fake.add_user(f"U0{number}USER", name=f"user{number}")
    first = client.users_list(limit=2)
    assert [u["id"] for u in first["members"]][:2] == ["U00USER", "U01USER"]
    seen, cursor = [], None
    for page in client.users_list(limit=2):  # slack-sdk follows next_cursor itself
        seen += [u["id"] for u in page["members"]]
        cursor = page["response_metadata"]["next_cursor"]
    assert cursor == "" and {f"U0{n}USER" for n in range(5)} <= set(seen) and len(seen) == len(set(seen))
    assert all("display_name" in u["profile"] for u in first["members"])
    assert error_of(lambda: client.users_list(cursor="bm9wZQ==")) == "invalid_cursor"
