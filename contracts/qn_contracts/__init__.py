"""Quartiersnetz event contracts.

Every event is a frozen pydantic model of its JSON body with a `spec` naming its subject, version
and data classification; `EventMeta` holds the CloudEvents attributes that travel in the headers;
`wire` encodes and decodes messages; `streams` defines the JetStream streams.
"""

__version__ = "1.8.0"  # the minor revision listed last in docs/contracts.md

from .catalogue import ALL_EVENTS, BY_SUBJECT, BY_TYPE, event_class_for_type
from .event import NO_ADDRESS, Classification, Event, EventMeta, EventSpec, subject_of
from .streams import DEAD_LETTER, STREAMS, StreamSpec, dead_letter_subject, stream_for_subject
from .wire import WireFormatError, WireMessage, admit, decode, decode_body, decode_meta, encode

__all__ = [
    "ALL_EVENTS",
    "BY_SUBJECT",
    "BY_TYPE",
    "DEAD_LETTER",
    "NO_ADDRESS",
    "STREAMS",
    "Classification",
    "Event",
    "EventMeta",
    "EventSpec",
    "StreamSpec",
    "WireFormatError",
    "WireMessage",
    "admit",
    "dead_letter_subject",
    "decode",
    "decode_body",
    "decode_meta",
    "encode",
    "event_class_for_type",
    "stream_for_subject",
    "subject_of",
]
