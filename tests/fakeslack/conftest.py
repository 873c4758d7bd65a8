"""Fixtures of the fake's self-tests: a fake of their own and a real WebClient pointed at it."""

import pytest
from slack_sdk import WebClient

from tests.fakeslack import FakeSlack


@pytest.fixture
def fake():
    with FakeSlack() as f:
        yield f
        assert f.violations == []
        # Every error the fake answered must be one the reference documents for that method.
        assert [c for c in f.calls if c.error and f.ref.has(c.method) and not c.error.startswith("http")
                and c.error not in f.ref.errors(c.method)] == []


@pytest.fixture
def client(fake):
    return WebClient(token="xoxb-test", base_url=fake.base_url)
