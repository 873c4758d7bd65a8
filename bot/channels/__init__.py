"""Ways to page besides Slack, one module per provider, each with the library made for it.

``Channels`` is what the paging domain sees (``bot.paging.steps.Senders``): the ways that are on,
sending one step, and looking for a step whose answer was lost. A way whose settings are missing is
off. Every provider's failure becomes the domain's ``PageNotDelivered``: permanent when the provider
refuses the request itself (a bad number), otherwise retried (5xx, 429, timeouts, no connection).
"""

from __future__ import annotations

from bot.channels.email import EmailSender
from bot.channels.ntfy import NtfySender
from bot.channels.rates import SendRates
from bot.channels.twilio import TwilioSender
from bot.config import Settings
from bot.core.errors import PageNotDelivered
from bot.paging.steps import Outgoing


class Channels:
    def __init__(self, settings: Settings, rates: dict[str, float]) -> None:
        self.twilio = TwilioSender.from_settings(settings)
        self.ntfy = NtfySender(settings.ntfy_url) if settings.ntfy_url else None
        self.email = EmailSender.from_url(settings.smtp_url) if settings.smtp_url else None
        self._rates = SendRates(rates)
        self._pagerduty = bool(settings.pagerduty_routing_key)
        self._by_method = {method: sender for method, sender in (
            ("push", self.ntfy), ("sms", self.twilio), ("call", self.twilio), ("email", self.email)) if sender}

    def methods(self) -> frozenset[str]:
        return frozenset(self._by_method)

    def described(self) -> str:
        """Each way and whether it is on, for the start-up log and check-config."""
        return describe(self.methods()) + f", PagerDuty (PAGERDUTY_ROUTING_KEY) {'on' if self._pagerduty else 'off'}"

    def send(self, message: Outgoing) -> str:
        sender = self._sender(message.method)
        self._rates.take(message.method)
        return sender.send(message)

    def already_sent(self, message: Outgoing) -> str | None:
        return self._sender(message.method).already_sent(message)

    def _sender(self, method: str):
        sender = self._by_method.get(method)
        if sender is None:
            raise PageNotDelivered(f"{method} is off (its settings are missing)", permanent=True)
        return sender


WAYS = {"push": "push (NTFY_URL)", "sms": "SMS (TWILIO_*)", "call": "calls (TWILIO_*)", "email": "e-mail (SMTP_URL)"}


def describe(on: frozenset[str]) -> str:
    return "Paging besides Slack: " + ", ".join(f"{WAYS[method]} {'on' if method in on else 'off'}" for method in WAYS)
