"""A real SMTP server for tests (aiosmtpd in a thread of the test process): the service sends
over a real socket, and the test reads the mails back as parsed messages."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from qn_infra.embedded_broker import free_port


@dataclass
class MailBox:
    host: str
    port: int
    _mails: list[EmailMessage] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        with self._lock:
            self._mails.append(mail)
        return "250 Message accepted for delivery"

    @property
    def mails(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._mails)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.mails if m["To"] == address]

    def body(self, mail: EmailMessage) -> str:
        part = mail.get_body(("plain",))
        assert part is not None
        return str(part.get_content())


@contextmanager
def mail_catcher() -> Iterator[MailBox]:
    """`with mail_catcher() as box:` an SMTP server on a free local port while the block runs."""
    box = MailBox("127.0.0.1", free_port())
    # aiosmtpd logs every recipient at INFO: addresses are personal data, kept out of the logs
    server_log = logging.getLogger("mail.log")
    level = server_log.level
    server_log.setLevel(logging.WARNING)
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
        server_log.setLevel(level)
