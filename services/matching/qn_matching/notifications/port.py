"""The notification port: what matching tells a person, whatever carries it. E-mail is the first
channel (`email.py`); an SMS or messenger channel is another class with the same `send`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Message:
    """One notice in German and English: volunteers have no language setting yet, so both go out."""

    subject_de: str
    body_de: str
    subject_en: str
    body_en: str


@dataclass(frozen=True)
class Recipient:
    address: str
    """Where the channel delivers (an e-mail address): personal data, never logged."""


class NotDelivered(Exception):
    """The channel did not take the message; the reason names no recipient."""


class Notifier(Protocol):
    def send(self, recipient: Recipient, message: Message) -> None:
        """Hands the message over for delivery, or raises `NotDelivered`."""
        ...
