"""NATS JetStream plumbing: the broker connection, the streams from `qn_contracts.streams`,
publishing with checked acks, and the registry of durable pull consumers (`consumer_loop`)."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from qn_contracts import DEAD_LETTER, STREAMS, StreamSpec, stream_for_subject

from .consumers import ConsumerSpec
from .logs import get_logger
from .outbox import Ack
from .publish_window import WindowedPublisher
from .settings import ServiceSettings

if TYPE_CHECKING:
    from faststream.nats import NatsBroker

log = get_logger(__name__)

RECONNECT: dict[str, Any] = {
    "max_reconnect_attempts": -1,  # never give up: the outbox holds what could not be sent
    "reconnect_time_wait": 1,
    "connect_timeout": 2,
}
"""How every connection of a service (its broker, its relay's process) keeps to the servers."""


class Connected(Protocol):
    """What `JetStreamPublisher` needs of a broker: its current nats-py connection."""

    @property
    def connection(self) -> Any: ...


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


async def ensure_streams(js: JetStreamContext, replicas: int = 1, *, create: bool = True) -> None:
    """Creates the streams, or brings their configuration up to date. Every service runs this, so
    start-up order does not matter; the definitions are the same everywhere. With `create=False`
    (the migration step made them; the service's NATS user may not) it only checks that they
    exist, and raises `NotFoundError` naming the one that does not."""
    for spec in ALL_STREAMS:
        if not create:
            await js.stream_info(spec.name)
            continue
        config = stream_config(spec, replicas)
        try:
            await js.add_stream(config)
        except BadRequestError:
            await js.update_stream(config)


class JetStreamPublisher:
    """Publishes to the streams and checks every ack.

    `publish_many` sends a batch with up to `window` acks outstanding at once
    (`publish_window`), instead of one round trip per message, and reports each message's ack or
    error."""

    def __init__(self, broker: Connected, timeout: float = 5.0, window: int = 256) -> None:
        self._broker = broker
        self._timeout = timeout
        self._window = window
        self._js: tuple[Any, JetStreamContext] | None = None
        self._windowed: WindowedPublisher | None = None

    def _jetstream(self) -> JetStreamContext:
        connection = self._broker.connection
        # one context per connection: it holds the window of outstanding acks
        if self._js is None or self._js[0] is not connection:
            self._js = (connection, connection.jetstream(timeout=self._timeout, publish_async_max_pending=self._window))
        return self._js[1]

    async def __call__(self, subject: str, body: bytes, headers: dict[str, str]) -> Ack:
        ack = await self._jetstream().publish(
            subject, body, timeout=self._timeout, stream=stream_for_subject(subject).name, headers=headers
        )
        return Ack(stream=ack.stream, sequence=ack.seq, duplicate=bool(ack.duplicate))

    async def publish_many(self, messages: Sequence[tuple[str, bytes, dict[str, str]]]) -> list[Ack | BaseException]:
        """Publishes in order; waits at most `timeout` for the acks after the last send. Each
        result is the message's ack, or the error (a timeout for an ack that did not come)."""
        connection = self._broker.connection
        # one reply subscription per connection (a new one after the broker was started anew)
        if self._windowed is None or self._windowed.connection is not connection:
            self._windowed = WindowedPublisher(connection, timeout=self._timeout, window=self._window)
        streams = [stream_for_subject(subject).name for subject, _, _ in messages]
        return await self._windowed.publish_many(messages, streams)


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
    consumers: list[ConsumerSpec] = field(default_factory=list)

    def add_consumer(self, spec: ConsumerSpec) -> None:
        """Registers a durable pull consumer (see `consumer_loop`); it starts with the broker."""
        if any(existing.durable == spec.durable for existing in self.consumers):
            raise ValueError(f"consumer {spec.durable} is registered twice")
        self.consumers.append(spec)
        self.durables.append(Durable(stream_for_subject(spec.subject).name, spec.durable, spec.subject))

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


def connect_options(settings: ServiceSettings) -> dict[str, Any]:
    """The `nats.connect` options for the settings' credentials and TLS: none for `make run`."""
    options: dict[str, Any] = settings.nats_auth()
    if settings.nats_tls_ca_file:
        options["tls"] = ssl.create_default_context(cafile=settings.nats_tls_ca_file)
    if settings.nats_user:
        # the generated permissions let a user subscribe to its own inboxes only
        options["inbox_prefix"] = f"_INBOX.{settings.nats_user}"
    return options


def create_messaging(settings: ServiceSettings) -> Messaging:
    """Builds (does not connect) the broker connection of a service."""
    # imported here: the outbox relay's process connects with nats-py alone (a fifth of its memory)
    from faststream.nats import NatsBroker
    from faststream.nats.security import NatsSecurity, NatsUserPassword

    options = connect_options(settings)
    credentials: dict[str, Any] = {}
    tls = options.pop("tls", None)
    if "user" in options:  # FastStream takes a user and password only as a security object
        credentials["security"] = NatsUserPassword(options.pop("user"), options.pop("password"), ssl_context=tls)
    elif tls is not None:
        credentials["security"] = NatsSecurity(ssl_context=tls)
    credentials |= options  # inbox prefix, token, credentials or NKey seed file: as nats.connect takes them
    broker = NatsBroker(
        settings.nats_servers,
        **credentials,
        name=f"quartiersnetz-{settings.service_name}",
        **RECONNECT,
        logger=logging.getLogger("faststream"),
        log_level=logging.DEBUG,
        graceful_timeout=10.0,
    )
    return Messaging(broker=broker, settings=settings)
