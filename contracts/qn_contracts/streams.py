"""The JetStream streams, defined in one place: one per producing service, and a dead-letter stream.

Kept as plain data so that this package needs no NATS client; `qn_infra.streams` turns them into
nats-py `StreamConfig`s, and operators can read them in `asyncapi.json`.
"""

from __future__ import annotations

from dataclasses import dataclass

PRODUCERS = ("intake", "matching", "scheduling", "reporting")
DEAD_LETTER_PREFIX = "qn.dlq"


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    description: str
    max_age_days: int | None
    """None keeps events until limits are reached, so projections can be rebuilt from the stream."""
    duplicate_window_seconds: int = 600
    """Window in which a re-sent `Nats-Msg-Id` is dropped; covers an outbox relay's retries."""


def _producer_stream(producer: str) -> StreamSpec:
    return StreamSpec(
        name=f"QN_{producer.upper()}",
        # One subject filter per contract version: v2 of an event is published alongside v1, so a
        # new version adds `qn.v2.<producer>.>` here.
        subjects=(f"qn.v1.{producer}.>",),
        description=f"Events produced by the {producer} service.",
        max_age_days=None,
    )


STREAMS: dict[str, StreamSpec] = {producer: _producer_stream(producer) for producer in PRODUCERS}

DEAD_LETTER = StreamSpec(
    name="QN_DEADLETTER",
    subjects=(f"{DEAD_LETTER_PREFIX}.>",),
    description=(
        "Messages a consumer could not process: the original body and headers, plus "
        "`qn-dlq-reason`, `qn-dlq-consumer`, `qn-dlq-subject`, `qn-dlq-stream-sequence` and "
        "`qn-dlq-deliveries`. Subject: `qn.dlq.<consumer>.<original subject>`."
    ),
    max_age_days=90,
)


def stream_for_subject(subject: str) -> StreamSpec:
    """The stream that stores a subject (`qn.v1.intake.concern.recorded` -> `QN_INTAKE`)."""
    parts = subject.split(".")
    if subject.startswith(DEAD_LETTER_PREFIX + "."):
        return DEAD_LETTER
    if len(parts) >= 3 and parts[0] == "qn" and parts[2] in STREAMS:
        return STREAMS[parts[2]]
    raise KeyError(f"no stream stores subject {subject!r}")


def dead_letter_subject(consumer: str, original_subject: str) -> str:
    return f"{DEAD_LETTER_PREFIX}.{consumer}.{original_subject}"
