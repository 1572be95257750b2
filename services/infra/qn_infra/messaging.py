"""NATS JetStream plumbing: the broker, the streams from `qn_contracts.streams`, publishing with a
checked ack, and durable pull consumers with explicit acknowledgement."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from faststream.middlewares import AckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, PullSub
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from qn_contracts import DEAD_LETTER, STREAMS, StreamSpec, stream_for_subject

from .dead_letter import DeadLetterPolicy
from .logs import get_logger
from .outbox import Ack
from .settings import ServiceSettings

log = get_logger(__name__)

ALL_STREAMS: tuple[StreamSpec, ...] = (*STREAMS.values(), DEAD_LETTER)


def stream_config(spec: StreamSpec, replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=spec.name,
        description=spec.description,
        subjects=list(spec.subjects),
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=spec.max_age_days * 86400 if spec.max_age_days else None,
        duplicate_window=spec.duplicate_window_seconds,
        num_replicas=replicas,
    )


async def ensure_streams(js: JetStreamContext, replicas: int = 1) -> None:
    """Creates the streams, or brings their configuration up to date. Every service runs this, so
    start-up order does not matter; the definitions are the same everywhere."""
    for spec in ALL_STREAMS:
        config = stream_config(spec, replicas)
        try:
            await js.add_stream(config)
        except BadRequestError:
            await js.update_stream(config)


class JetStreamPublisher:
    """Publishes one message to its stream and returns the checked ack."""

    def __init__(self, broker: NatsBroker, timeout: float = 5.0) -> None:
        self._broker = broker
        self._timeout = timeout

    async def __call__(self, subject: str, body: bytes, headers: dict[str, str]) -> Ack:
        js = self._broker.connection.jetstream()
        ack = await js.publish(
            subject,
            body,
            timeout=self._timeout,
            stream=stream_for_subject(subject).name,
            headers=headers,
        )
        return Ack(stream=ack.stream, sequence=ack.seq, duplicate=bool(ack.duplicate))


@dataclass(frozen=True)
class Durable:
    """A durable consumer this service owns; `/readyz` checks that it exists."""

    stream: str
    name: str
    subject: str


@dataclass
class Messaging:
    """The broker of one service and the durable consumers registered on it."""

    broker: NatsBroker
    settings: ServiceSettings
    durables: list[Durable] = field(default_factory=list)

    def subscriber(self, name: str, subject: str, *, description: str | None = None) -> Callable[[Any], Any]:
        """Registers a durable pull consumer `<service>-<name>` on `subject` (wildcards allowed).

        Every consumer acknowledges explicitly (see `dead_letter`), is redelivered after
        `ack_wait` and gives up after `max_deliver` deliveries -- to the dead-letter stream."""
        stream = stream_for_subject(subject)
        durable = f"{self.settings.service_name}-{name}"
        self.durables.append(Durable(stream.name, durable, subject))
        return self.broker.subscriber(
            subject,
            stream=JStream(stream.name, declare=False),
            durable=durable,
            pull_sub=PullSub(batch_size=self.settings.consumer_batch_size, timeout=2.0),
            config=ConsumerConfig(
                ack_wait=self.settings.consumer_ack_wait_seconds,
                max_deliver=self.settings.consumer_max_deliver,
                max_ack_pending=1000,
            ),
            ack_policy=AckPolicy.MANUAL,
            description=description,
        )

    async def missing_durables(self) -> list[str]:
        """Names of this service's durable consumers that do not exist on the server."""
        js = self.broker.connection.jetstream()
        missing = []
        for durable in self.durables:
            try:
                await js.consumer_info(durable.stream, durable.name, timeout=2)
            except NotFoundError:
                missing.append(durable.name)
        return missing


def create_messaging(settings: ServiceSettings) -> Messaging:
    """Builds (does not connect) the broker with the dead-letter policy on every consumer."""
    broker_ref: dict[str, NatsBroker] = {}

    async def publish_dead_letter(subject: str, body: bytes, headers: dict[str, str]) -> Ack:
        return await JetStreamPublisher(broker_ref["broker"])(subject, body, headers)

    broker = NatsBroker(
        settings.nats_servers,
        name=f"quartiersnetz-{settings.service_name}",
        max_reconnect_attempts=-1,  # never give up: the outbox holds what could not be sent
        reconnect_time_wait=1,
        connect_timeout=2,
        middlewares=[
            DeadLetterPolicy(
                publish_dead_letter,
                max_deliver=settings.consumer_max_deliver,
                backoff=settings.consumer_backoff_seconds,
            )
        ],
        logger=logging.getLogger("faststream"),
        log_level=logging.DEBUG,  # one line per message is too much at INFO
        graceful_timeout=10.0,
    )
    broker_ref["broker"] = broker
    return Messaging(broker=broker, settings=settings)
