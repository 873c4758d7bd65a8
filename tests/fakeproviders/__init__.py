"""Fakes over real HTTP for the providers pages go through besides Slack: Twilio's REST API, ntfy,
PagerDuty's Events API v2, and an SMTP server (aiosmtpd). Each refuses a request its service would refuse, with the service's
own error shape, and records what it accepted; each can fail for a while (5xx, 429) or lose an answer
(do the work, then hang up) so that retries and look-ups are tested against something real."""

from tests.fakeproviders.ntfy import FakeNtfy
from tests.fakeproviders.pagerduty import FakePagerDuty
from tests.fakeproviders.smtp import FakeSmtp
from tests.fakeproviders.twilio import FakeTwilio

__all__ = ["FakeNtfy", "FakePagerDuty", "FakeSmtp", "FakeTwilio"]
