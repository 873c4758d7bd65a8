"""SMS and voice-call pages through Twilio (the ``twilio`` package).

The call reads the incident (TwiML ``<Say>``) and takes "press 1 to acknowledge" (``<Gather>``
posting to ``/webhooks/twilio/voice`` with the page's ack token); an SMS carries the ack link, and a
reply "ACK" acknowledges too (``/webhooks/twilio/sms``). Both webhooks are checked with Twilio's
``RequestValidator``. An SMS whose answer was lost is looked for among the messages sent to that
number before it is sent again; Twilio has no such key for a call, so a lost call answer may ring twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import urlencode

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

from bot.config import Settings
from bot.core.errors import PageNotDelivered
from bot.paging.steps import Outgoing

TIMEOUT = 10
VOICE_WEBHOOK = "/webhooks/twilio/voice"
SMS_WEBHOOK = "/webhooks/twilio/sms"


class TwilioSender:
    def __init__(self, account_sid: str, auth_token: str, from_number: str, api_url: str, public_url: str) -> None:
        self._client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=TIMEOUT))
        self._client.api.base_url = api_url  # Twilio's own base; tests point it at a local fake
        self._from = from_number
        self._public_url = public_url
        self.validator = RequestValidator(auth_token)

    @classmethod
    def from_settings(cls, settings: Settings) -> TwilioSender | None:
        if not (settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_from):
            return None
        return cls(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_from,
                   settings.twilio_api_url, settings.public_url)

    def send(self, message: Outgoing) -> str:
        with _refused():
            if message.method == "call":
                return self._client.calls.create(to=message.address, from_=self._from,
                                                 twiml=str(self.call_script(message))).sid
            return self._client.messages.create(to=message.address, from_=self._from, body=message.text).sid

    def already_sent(self, message: Outgoing) -> str | None:
        if message.method == "call":  # a call placed leaves no text to find it by: nobody can say
            raise PageNotDelivered("a call cannot be looked up by its text", permanent=False)
        with _refused():
            for sent in self._client.messages.list(to=message.address, from_=self._from, limit=50):
                if sent.body == message.text:
                    return sent.sid
        return None

    def call_script(self, message: Outgoing) -> VoiceResponse:
        """What the call says: the incident, then "press 1"; said twice, as a sleeper misses the first."""
        response = VoiceResponse()
        gather = Gather(num_digits=1, method="POST", timeout=10,
                        action=f"{self._public_url}{VOICE_WEBHOOK}?{urlencode({'ack': message.ack_token or ''})}")
        gather.say(message.speech)
        gather.say(message.speech)
        response.append(gather)
        response.say("No key was pressed. Goodbye.")
        return response

    def genuine(self, url: str, params: Mapping[str, str], signature: str) -> bool:
        """Whether a webhook request was signed by Twilio with this account's auth token."""
        return bool(signature) and self.validator.validate(url, dict(params), signature)


def say(text: str) -> str:
    """TwiML that says ``text`` and hangs up (the answer to a key press)."""
    response = VoiceResponse()
    response.say(text)
    return str(response)


def sms_reply(text: str) -> str:
    response = MessagingResponse()
    response.message(text)
    return str(response)


@contextmanager
def _refused() -> Iterator[None]:
    try:
        yield
    except TwilioRestException as exc:
        permanent = exc.status < 500 and exc.status != 429
        raise PageNotDelivered(f"Twilio answered {exc.status} ({exc.code}: {exc.msg})", permanent=permanent) from exc
    except (requests.RequestException, TwilioException) as exc:
        raise PageNotDelivered(f"Twilio unreachable ({type(exc).__name__})", permanent=False) from exc
