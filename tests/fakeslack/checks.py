"""A helper of the fake's self-tests."""

import pytest
from slack_sdk.errors import SlackApiError


def error_of(call) -> str:
    """The Slack error code that ``call()`` raises."""
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value.response["error"]
