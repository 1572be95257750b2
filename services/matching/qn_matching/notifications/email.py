"""The e-mail channel of the notification port: the standard library's smtplib, STARTTLS and a
login where configured. One connection per message: reminders are few, and a fresh connection
needs no keep-alive handling."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from qn_infra.clock import Clock

from ..config import MatchingSettings
from .port import Message, NotDelivered, Recipient


class SmtpNotifier:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        clock: Clock,
        starttls: bool = True,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender, self.clock = host, port, sender, clock
        self.starttls, self.user, self.password, self.timeout = starttls, user, password, timeout

    @classmethod
    def from_settings(cls, settings: MatchingSettings, clock: Clock) -> SmtpNotifier | None:
        """The channel the settings describe; None without an SMTP host (then no mail goes out)."""
        if not settings.smtp_host:
            return None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_sender,
            clock=clock,
            starttls=settings.smtp_starttls,
            user=settings.smtp_user,
            password=settings.smtp_secret(),
            timeout=settings.smtp_timeout_seconds,
        )

    def compose(self, recipient: Recipient, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = recipient.address
        mail["Subject"] = message.subject_de
        mail["Date"] = format_datetime(self.clock.now())
        mail["Message-ID"] = make_msgid(domain="quartiersnetz")
        mail["Content-Language"] = "de, en"
        # RFC 3834: no out-of-office answers to a reminder
        mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(f"{message.body_de}\n\n-- English --\n\n{message.subject_en}\n\n{message.body_en}\n")
        return mail

    def send(self, recipient: Recipient, message: Message) -> None:
        mail = self.compose(recipient, message)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            # the exception's text may repeat the address: only its kind is passed on
            raise NotDelivered(type(exc).__name__) from exc
