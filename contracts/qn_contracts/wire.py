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
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError

from .event import Event, EventMeta

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
    headers = {
        "ce-specversion": SPECVERSION,
        "ce-id": str(meta.id),
        "ce-source": meta.source,
        "ce-type": meta.type,
        "ce-time": meta.time.isoformat(),
        "ce-dataschema": meta.dataschema,
        "ce-dataclassification": meta.classification.value,
        "content-type": CONTENT_TYPE,
        MSG_ID_HEADER: str(meta.id),
    }
    if meta.correlation_id:
        headers["ce-correlationid"] = meta.correlation_id
    if meta.causation_id:
        headers["ce-causationid"] = meta.causation_id
    body = event.model_dump_json().encode()
    return WireMessage(subject=event.spec.subject, body=body, headers=headers)


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
