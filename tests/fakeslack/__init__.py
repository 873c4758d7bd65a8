"""A strict fake of the Slack Web API for the bot's tests (see server.py)."""

from .scopes import SCOPES
from .server import Call, FakeSlack

__all__ = ["SCOPES", "Call", "FakeSlack"]
