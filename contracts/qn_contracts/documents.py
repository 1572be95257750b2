"""Builds the generated contract documents: one JSON Schema per event and an AsyncAPI 3.0 document.

Generated files are never edited by hand; `make contracts` rewrites them and a test fails when the
committed files differ from what this module produces.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from . import __version__
from .catalogue import ALL_EVENTS
from .event import NO_ADDRESS, Event, EventMeta, EventSpec
from .streams import DEAD_LETTER, STREAMS, stream_for_subject

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def event_schema(event_class: type[Event]) -> dict[str, Any]:
    """The JSON Schema of one event's body."""
    spec = event_class.spec
    schema = event_class.model_json_schema()
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": spec.dataschema,
        **schema,
        "title": spec.type,
        "description": spec.summary,
        "x-subject": address(spec),
        "x-classification": spec.classification.value,
    }


def address(spec: EventSpec) -> str:
    """The subject as AsyncAPI writes it: `<channel>.{target_id}` for an addressed event."""
    return f"{spec.channel}.{{{spec.address}}}" if spec.address else spec.channel


def schema_files() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema, for every event in the catalogue."""
    return {f"{cls.spec.channel}.json": event_schema(cls) for cls in ALL_EVENTS}


def _headers_schema() -> dict[str, Any]:
    meta = EventMeta.model_json_schema()["properties"]

    def header(field: str, description: str | None = None) -> dict[str, Any]:
        prop = dict(meta[field])
        prop.pop("title", None)
        prop.pop("default", None)
        if description:
            prop["description"] = description
        return prop

    return {
        "type": "object",
        "description": "CloudEvents 1.0 attributes in binary content mode.",
        "required": [
            "ce-specversion",
            "ce-id",
            "ce-source",
            "ce-type",
            "ce-time",
            "ce-dataschema",
            "ce-dataclassification",
            "content-type",
            "Nats-Msg-Id",
        ],
        "properties": {
            "ce-specversion": {"type": "string", "const": "1.0"},
            "ce-id": header("id"),
            "ce-source": header("source"),
            "ce-type": header("type"),
            "ce-time": header("time"),
            "ce-dataschema": header("dataschema"),
            "ce-dataclassification": {
                "type": "string",
                "enum": ["public", "internal", "pseudonymised"],
                "description": "Data classification label of the body.",
            },
            "ce-correlationid": {"type": "string", "description": meta["correlation_id"]["description"]},
            "ce-causationid": {"type": "string", "description": meta["causation_id"]["description"]},
            "content-type": {"type": "string", "const": "application/json"},
            "Nats-Msg-Id": {"type": "string", "description": "Equal to ce-id; JetStream drops duplicates."},
        },
    }


def _key(event_class: type[Event]) -> str:
    spec = event_class.spec
    return f"{spec.producer}_{spec.entity}_{spec.action}_v{spec.version}"


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of every subject, message and stream."""
    _, definitions = models_json_schema(
        [(cls, "validation") for cls in ALL_EVENTS],
        ref_template="#/components/schemas/{model}",
    )
    schemas: dict[str, Any] = dict(sorted(definitions.get("$defs", {}).items()))
    schemas["CloudEventHeaders"] = _headers_schema()

    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for cls in ALL_EVENTS:
        spec, key = cls.spec, _key(cls)
        messages[key] = {
            "name": spec.type,
            "title": cls.__name__,
            "summary": spec.summary,
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
            "payload": {"$ref": f"#/components/schemas/{cls.__name__}"},
            "x-classification": spec.classification.value,
            "x-dataschema": spec.dataschema,
        }
        channels[key] = {
            "address": address(spec),
            "description": f"{spec.summary} Stored in stream {stream_for_subject(spec.channel).name}.",
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
        }
        if spec.address:
            channels[key]["parameters"] = {
                spec.address: {
                    "description": (
                        f"The organisation the event is addressed to: the body's `{spec.address}`, or "
                        f"`{NO_ADDRESS}` when it names none. A carrier's credentials read only its own "
                        "(decision 0010)."
                    ),
                    "location": f"$message.payload#/{spec.address}",
                }
            }
        operations[f"{spec.producer}_publishes_{key}"] = {
            "action": "send",
            "summary": f"{spec.producer} publishes {spec.type}.",
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
        }
    channels["dead_letter"] = {
        "address": "qn.dlq.{consumer}.{originalSubject}",
        "description": DEAD_LETTER.description,
        "parameters": {
            "consumer": {"description": "Service whose consumer gave up on the message."},
            "originalSubject": {"description": "Subject the message was first published on."},
        },
    }
    streams = [
        {
            "name": s.name,
            "subjects": list(s.subjects),
            "description": s.description,
            "maxAgeDays": s.max_age_days,
            "duplicateWindowSeconds": s.duplicate_window_seconds,
        }
        for s in (*STREAMS.values(), DEAD_LETTER)
    ]
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Quartiersnetz events",
            "version": __version__,
            "description": (
                "Events between the Quartiersnetz services (intake, matching, scheduling, "
                "reporting). JSON bodies, CloudEvents 1.0 attributes in NATS headers (binary "
                "mode), `Nats-Msg-Id` = event id. Subjects: `qn.v<version>.<producer>.<entity>."
                "<action>`. Additive changes stay in a version; a breaking change is published "
                "as a new version alongside the old one. No event carries personal data."
            ),
            "x-streams": streams,
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:4222",
                "protocol": "nats",
                "description": "The broker `make run` starts (JetStream enabled, no credentials).",
            },
            "city": {
                "host": "nats.city.example:4222",
                "protocol": "nats",
                "description": (
                    "A city's three-node cluster, TLS required. Every client has its own user: a carrier or "
                    "office `org-<id>` reads only the events addressed to it, through its durable consumer "
                    "`org-<id>` in QN_INTAKE and QN_SCHEDULING with the filter `qn.v1.<producer>.*.*.<id>`, "
                    "and replies reach it below the inbox prefix `_INBOX.org-<id>`."
                ),
                "security": [{"$ref": "#/components/securitySchemes/userPassword"}],
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": schemas,
            "securitySchemes": {
                "userPassword": {
                    "type": "userPassword",
                    "description": "NATS user and password, generated per service, carrier and office.",
                }
            },
        },
    }
