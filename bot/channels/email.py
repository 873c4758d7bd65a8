"""E-mail pages by SMTP (the standard library's ``smtplib``): for the record, and as a last resort.

``SMTP_URL`` is ``smtp://user:pass@host:587`` (STARTTLS when the server offers it) or ``smtps://…``
(implicit TLS); ``?from=pages@example.com`` sets the sender (else the user name, if it is an address).
SMTP cannot be asked what it accepted, so a lost answer may send a second e-mail.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from bot.core.errors import PageNotDelivered
from bot.paging.steps import Outgoing

TIMEOUT = 10


class EmailSender:
    def __init__(self, host: str, port: int, implicit_tls: bool, user: str | None, password: str | None,
                 sender: str) -> None:
        self._host, self._port, self._tls = host, port, implicit_tls
        self._user, self._password, self.sender = user, password, sender

    @classmethod
    def from_url(cls, url: str) -> EmailSender:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must be smtp://user:pass@host:587 or smtps://user:pass@host:465")
        user = unquote(parts.username) if parts.username else None
        sender = parse_qs(parts.query).get("from", [user if user and "@" in user else f"incident-bot@{parts.hostname}"])[0]
        return cls(parts.hostname, parts.port or (465 if parts.scheme == "smtps" else 587), parts.scheme == "smtps",
                   user, unquote(parts.password) if parts.password else None, sender)

    def send(self, message: Outgoing) -> str:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, message.address, f"[PAGE] {message.title}"
        mail["Message-ID"] = make_msgid(idstring=message.key)
        mail.set_content(message.text + "\n")
        try:
            with self._connect() as smtp:
                if not self._tls and smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if self._user:
                    smtp.login(self._user, self._password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PageNotDelivered(f"the mail server refused {message.address}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            raise PageNotDelivered(f"the mail server answered {exc.smtp_code}", permanent=exc.smtp_code >= 500) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise PageNotDelivered(f"the mail server is unreachable ({type(exc).__name__})", permanent=False) from exc
        return mail["Message-ID"]

    def already_sent(self, message: Outgoing) -> str | None:
        """A mail server keeps no list of what it took: nobody can say (the step goes, marked a possible repeat)."""
        raise PageNotDelivered("a mail server cannot say what it was sent", permanent=False)

    def _connect(self) -> smtplib.SMTP:
        if self._tls:
            return smtplib.SMTP_SSL(self._host, self._port, timeout=TIMEOUT, context=ssl.create_default_context())
        smtp = smtplib.SMTP(self._host, self._port, timeout=TIMEOUT)
        smtp.ehlo()
        return smtp
