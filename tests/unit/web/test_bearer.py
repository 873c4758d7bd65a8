"""The bearer token of the alert webhooks and of the console's scripts: read and compared one way."""

import pytest
from starlette.requests import Request

from bot.web.auth import bearer, same_secret


def _request(authorization: str | None) -> Request:
    headers = [(b"authorization", authorization.encode())] if authorization is not None else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "query_string": b""})


@pytest.mark.parametrize("header, token", [
    ("Bearer s3cret", "s3cret"), ("bearer  s3cret ", "s3cret"), ("BEARER s3cret", "s3cret"),
    ("Basic s3cret", None), ("s3cret", None), (None, None),
])
def test_the_bearer_token_is_read_from_the_header(header, token):
    assert bearer(_request(header)) == token


@pytest.mark.parametrize("given, secret, same", [
    ("s3cret", "s3cret", True), (" s3cret ", "s3cret", True), ("other", "s3cret", False),
    (None, "s3cret", False), ("", "", False), ("anything", None, False),
])
def test_a_token_matches_only_a_secret_that_is_set(given, secret, same):
    assert same_secret(given, secret) is same
