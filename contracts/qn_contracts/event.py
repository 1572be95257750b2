"""The event base: what every Quartiersnetz event is, and the metadata that travels with it.

An event class holds only the *data* of an event (the JSON body on the wire). Its identity and
context -- id, time, producer, version, correlation and causation -- travel as CloudEvents
attributes in the message headers (binary mode) and are modelled by `EventMeta`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from .ids import time_ordered_id


class Classification(StrEnum):
    """How sensitive an event's data is; sent as the `ce-dataclassification` header."""

    PUBLIC = "public"
    """Published anyway (opening hours, the public programme, committee reports)."""
    INTERNAL = "internal"
    """Operational data without any reference to a person."""
    PSEUDONYMISED = "pseudonymised"
    """Carries a random pseudonymous reference to a person; never a direct identifier."""


NO_ADDRESS = "_none"
"""The last subject token of an addressed event that names no organisation (e.g. a consent
withdrawn for neighbourly help); an organisation id never starts with `_`."""


@dataclass(frozen=True)
class EventSpec:
    """Where an event class lives on the wire: producer, entity, action and version, and, for an
    event addressed to one organisation, the body field that names it (decision 0010)."""

    producer: str
    entity: str
    action: str
    version: int
    classification: Classification
    summary: str = ""
    address: str | None = None
    """Body field naming the carrier, office or team the event is addressed to; its value is the
    subject's last token, so that NATS permissions can give each organisation its own events."""

    @property
    def channel(self) -> str:
        """`qn.v<version>.<producer>.<entity>.<action>`: the subject, or for an addressed event the
        subject without its address token. Names the JSON Schema."""
        return f"qn.v{self.version}.{self.producer}.{self.entity}.{self.action}"

    @property
    def subject(self) -> str:
        """The subject filter that matches every event of this class: the channel, or for an
        addressed event `<channel>.*`. `subject_of(event)` is the subject one event is sent on."""
        return f"{self.channel}.*" if self.address else self.channel

    def subject_for(self, organisation: str | None) -> str:
        """The subject of an event of this class addressed to `organisation` (None: to no one)."""
        if not self.address:
            raise ValueError(f"{self.type} is not addressed to an organisation")
        return f"{self.channel}.{organisation or NO_ADDRESS}"

    @property
    def type(self) -> str:
        """The CloudEvents `type`: `qn.<producer>.<entity>.<action>.v<version>`."""
        return f"qn.{self.producer}.{self.entity}.{self.action}.v{self.version}"

    @property
    def source(self) -> str:
        """The CloudEvents `source` (a URI reference naming the producing service)."""
        return f"/quartiersnetz/{self.producer}"

    @property
    def dataschema(self) -> str:
        """The CloudEvents `dataschema`: a URN naming the JSON Schema written by `make contracts`."""
        return f"urn:quartiersnetz:schema:{self.channel}"


class Event(BaseModel):
    """Base of every event's data. Frozen; unknown fields are ignored so that a consumer built
    against an older minor revision of a version keeps working when fields are added."""

    model_config = ConfigDict(frozen=True, extra="ignore", use_enum_values=False)

    spec: ClassVar[EventSpec]


def subject_of(event: Event) -> str:
    """The subject `event` is published on: its channel, plus the organisation it is addressed to."""
    spec = event.spec
    if not spec.address:
        return spec.channel
    return spec.subject_for(getattr(event, spec.address))


def utcnow() -> datetime:
    return datetime.now(UTC)


class EventMeta(BaseModel):
    """The CloudEvents context of one event, as carried in the message headers."""

    model_config = ConfigDict(frozen=True)

    id: UUID = Field(
        default_factory=uuid4,
        description="Unique id of this event; also the `Nats-Msg-Id` used for de-duplication.",
        examples=["0b7e4b5c-2f4e-4c59-9a55-3c8d1f0b6a11"],
    )
    time: datetime = Field(
        default_factory=utcnow,
        description="When the state change happened (UTC, RFC 3339).",
        examples=["2026-11-21T09:15:00Z"],
    )
    type: str = Field(
        description="CloudEvents type: `qn.<producer>.<entity>.<action>.v<version>`.",
        examples=["qn.intake.concern.recorded.v1"],
    )
    source: str = Field(description="The producing service.", examples=["/quartiersnetz/intake"])
    dataschema: str = Field(
        description="URN of the JSON Schema of the body.",
        examples=["urn:quartiersnetz:schema:qn.v1.intake.concern.recorded"],
    )
    classification: Classification = Field(description="Data classification of the body.", examples=["pseudonymised"])
    correlation_id: str | None = Field(
        default=None,
        description="Id shared by everything caused by one original request (an HTTP request id).",
        examples=["9d5c0a0e-54a3-4f0c-8d0e-1f3a8f6f2b7d"],
    )
    causation_id: str | None = Field(
        default=None,
        description="Id of the event (or request) that directly caused this one.",
        examples=["0b7e4b5c-2f4e-4c59-9a55-3c8d1f0b6a11"],
    )

    @classmethod
    def for_event(
        cls,
        event: Event,
        *,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        event_id: UUID | None = None,
        time: datetime | None = None,
    ) -> EventMeta:
        """Builds the metadata for a new event of this class."""
        spec = event.spec
        time = time or utcnow()
        # every value comes from the event's spec or is made here: nothing to validate (a
        # producer builds one per event it emits)
        return cls.model_construct(
            id=event_id or time_ordered_id(time),
            time=time,
            type=spec.type,
            source=spec.source,
            dataschema=spec.dataschema,
            classification=spec.classification,
            correlation_id=correlation_id,
            causation_id=causation_id,
        )

    @property
    def version(self) -> int:
        """The contract version, read from the type's `.v<n>` suffix."""
        return int(self.type.rsplit(".v", 1)[1])

    @property
    def producer(self) -> str:
        return self.source.rsplit("/", 1)[-1]
