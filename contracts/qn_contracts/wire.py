"""The wire format: JSON body, CloudEvents 1.0 attributes in NATS headers (binary content mode).

Headers of every message:

| header                  | CloudEvents attribute | example                                             |
|-------------------------|-----------------------|-----------------------------------------------------|
| `ce-specversion`        | specversion           | `1.0`                                               |
| `ce-id`                 | id                    | `0b7e4b5c-2f4e-4c59-9a55-3c8d1f0b6a11`              |
| `ce-source`             | source                | `/quartiersnetz/intake`                             |
| `ce-type`               | type                  | `qn.intake.concern.recorded.v1`                     |
| `ce-time`               | time                  | `2026-11-21T09:15:00.123456+00:00`                  |
| `ce-dataschema`         | dataschema            | `urn:quartiersnetz:schema:qn.v1.intake.concern.recorded` |
| `content-type`          | datacontenttype       | `application/json`                                  |
| `ce-dataclassification` | extension             | `pseudonymised`                                     |
| `ce-correlationid`      | extension (optional)  | id of the originating request                       |
| `ce-causationid`        | extension (optional)  | id of the event that caused this one                |
| `Nats-Msg-Id`           | (JetStream)           | equal to `ce-id`: the stream drops duplicates       |
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError

from .event import NO_ADDRESS, Event, EventMeta, subject_of
from .vocabulary import ORG_ID_PATTERN

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
MSG_ID_HEADER = "Nats-Msg-Id"

_E = TypeVar("_E", bound=Event)

# header name -> EventMeta field; all required unless listed in _OPTIONAL
_HEADER_FIELDS = {
    "ce-id": "id",
    "ce-time": "time",
    "ce-type": "type",
    "ce-source": "source",
    "ce-dataschema": "dataschema",
    "ce-dataclassification": "classification",
    "ce-correlationid": "correlation_id",
    "ce-causationid": "causation_id",
}
_OPTIONAL = {"ce-correlationid", "ce-causationid"}


class WireFormatError(ValueError):
    """A message is not a valid Quartiersnetz event; `field` names the header or body field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class WireMessage:
    subject: str
    body: bytes
    headers: dict[str, str]


def encode(event: Event, meta: EventMeta) -> WireMessage:
    """Turns an event and its metadata into subject, JSON body and headers."""
    if meta.type != event.spec.type:
        raise WireFormatError("ce-type", f"{meta.type!r} does not match {event.spec.type!r}")
    event_id = str(meta.id)  # once: a UUID's text is made in Python, digit group by digit group
    headers = {
        "ce-specversion": SPECVERSION,
        "ce-id": event_id,
        "ce-source": meta.source,
        "ce-type": meta.type,
        "ce-time": meta.time.isoformat(),
        "ce-dataschema": meta.dataschema,
        "ce-dataclassification": meta.classification.value,
        "content-type": CONTENT_TYPE,
        MSG_ID_HEADER: event_id,
    }
    if meta.correlation_id:
        headers["ce-correlationid"] = meta.correlation_id
    if meta.causation_id:
        headers["ce-causationid"] = meta.causation_id
    body = event.model_dump_json().encode()
    return WireMessage(subject=subject_of(event), body=body, headers=headers)


def decode_meta(headers: dict[str, str] | None) -> EventMeta:
    """Reads the CloudEvents attributes from message headers."""
    headers = headers or {}
    if headers.get("ce-specversion") != SPECVERSION:
        raise WireFormatError("ce-specversion", f"expected {SPECVERSION!r}, got {headers.get('ce-specversion')!r}")
    values: dict[str, Any] = {}
    for header, field in _HEADER_FIELDS.items():
        value = headers.get(header)
        if value is None:
            if header not in _OPTIONAL:
                raise WireFormatError(header, "missing")
            continue
        values[field] = value
    try:
        return EventMeta(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "headers"
        header = next((h for h, f in _HEADER_FIELDS.items() if f == field), field)
        raise WireFormatError(header, first["msg"]) from exc


def decode(event_class: type[_E], body: bytes, headers: dict[str, str] | None) -> tuple[_E, EventMeta]:
    """Reads one event of a known class; raises `WireFormatError` naming the bad field."""
    meta = decode_meta(headers)
    if meta.type != event_class.spec.type:
        raise WireFormatError("ce-type", f"expected {event_class.spec.type!r}, got {meta.type!r}")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WireFormatError("body", f"not JSON: {exc}") from exc
    try:
        return event_class.model_validate(data), meta
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise WireFormatError(f"body.{field}", first["msg"]) from exc


def admit(
    subject: str,
    headers: dict[str, str] | None,
    body: bytes,
    *,
    stream: str | None = None,
    max_bytes: int | None = None,
) -> tuple[type[Event] | None, EventMeta]:
    """What a consumer may believe of a message before it reads the body: the subject, `ce-type`,
    `ce-source`, `ce-dataschema`, the version and the stream must all agree with the contract, and
    the body must not exceed `max_bytes`. Returns the event class, or None for a type this version
    of the contracts does not know but whose parts are consistent (a newer producer's additive
    event: acknowledge and ignore it). Raises `WireFormatError` naming the part that disagrees."""
    from .catalogue import event_class_for_type
    from .streams import stream_for_subject

    if max_bytes is not None and len(body) > max_bytes:
        raise WireFormatError("body", f"{len(body)} bytes, more than the {max_bytes} a consumer accepts")
    meta = decode_meta(headers)
    event_class = event_class_for_type(meta.type)
    channel = _subject_of_type(meta.type) if event_class is None else event_class.spec.channel
    if channel is None:
        raise WireFormatError("ce-type", f"{meta.type!r} is not of the form qn.<producer>.<entity>.<action>.v<n>")
    if event_class is None:
        # a newer producer's event: addressed or not, its subject starts with its channel
        fits = subject == channel or _address_of(subject, channel) is not None
    else:
        fits = subject == channel if not event_class.spec.address else _address_of(subject, channel) is not None
    if not fits:
        expected = channel if event_class is None else event_class.spec.subject
        raise WireFormatError("ce-type", f"{meta.type!r} is published on {expected!r}, not on {subject!r}")
    producer = channel.split(".")[2]
    if meta.source != f"/quartiersnetz/{producer}":
        raise WireFormatError("ce-source", f"{meta.source!r} does not produce events on {subject!r}")
    if meta.dataschema != f"urn:quartiersnetz:schema:{channel}":
        raise WireFormatError("ce-dataschema", f"{meta.dataschema!r} is not the schema of {subject!r}")
    try:
        home = stream_for_subject(subject).name
    except KeyError:
        raise WireFormatError("subject", f"no stream stores {subject!r}") from None
    if stream is not None and stream != home:
        raise WireFormatError("stream", f"{subject!r} belongs in {home}, it came from {stream}")
    if event_class is not None and meta.classification != event_class.spec.classification:
        raise WireFormatError("ce-dataclassification", f"{meta.type!r} is {event_class.spec.classification.value}")
    return event_class, meta


def decode_body(event_class: type[_E], body: bytes, subject: str | None = None) -> _E:
    """The body of an admitted message; raises `WireFormatError` naming the bad field. Given the
    `subject`, an addressed event's body must name the organisation its subject names."""
    try:
        event = event_class.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            raise WireFormatError("body", f"not JSON: {first['msg']}") from exc
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise WireFormatError(f"body.{field}", first["msg"]) from exc
    if subject is not None and event_class.spec.address and subject != subject_of(event):
        field = event_class.spec.address
        raise WireFormatError(f"body.{field}", f"{getattr(event, field)!r} is not the addressee of {subject!r}")
    return event


_ADDRESS = re.compile(rf"{ORG_ID_PATTERN}|^{NO_ADDRESS}$")


def _address_of(subject: str, channel: str) -> str | None:
    """The organisation token of an addressed subject `<channel>.<address>`, else None."""
    if not subject.startswith(channel + "."):
        return None
    token = subject[len(channel) + 1 :]
    return token if _ADDRESS.match(token) else None


def _subject_of_type(ce_type: str) -> str | None:
    """`qn.intake.concern.recorded.v1` -> `qn.v1.intake.concern.recorded` (None if malformed)."""
    parts = ce_type.split(".")
    if len(parts) != 5 or parts[0] != "qn" or not parts[4].startswith("v") or not parts[4][1:].isdigit():
        return None
    if not all(part.replace("_", "").isalnum() for part in parts[1:4]):
        return None
    return f"qn.{parts[4]}.{parts[1]}.{parts[2]}.{parts[3]}"
