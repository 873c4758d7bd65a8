"""Fakes over real HTTP for the providers pages go through besides Slack: Twilio's REST API, ntfy,
PagerDuty's Events API v2, and an SMTP server (aiosmtpd); and the pagers an import reads (PagerDuty's REST
API v2, Opsgenie, Grafana OnCall). Each refuses a request its service would refuse, with the service's
own error shape, and records what it accepted; each can fail for a while (5xx, 429) or lose an answer
(do the work, then hang up) so that retries and look-ups are tested against something real."""

from tests.fakeproviders.grafana_oncall import FakeGrafanaOnCall
from tests.fakeproviders.ntfy import FakeNtfy
from tests.fakeproviders.opsgenie import FakeOpsgenie
from tests.fakeproviders.pagerduty import FakePagerDuty
from tests.fakeproviders.pagerduty_rest import FakePagerDutyRest
from tests.fakeproviders.smtp import FakeSmtp
from tests.fakeproviders.twilio import FakeTwilio

__all__ = ["FakeGrafanaOnCall", "FakeNtfy", "FakeOpsgenie", "FakePagerDuty", "FakePagerDutyRest", "FakeSmtp", "FakeTwilio"]
