"""The production profile: a service started with `PROFILE=production` refuses to start while a
setting would put social data at risk, and says which setting (exit with the message).

Two kinds of checks: those on the settings alone (`unsafe_settings`), and those that need the
broker (`unsafe_broker`): the nats-server's version from its INFO, the streams the migration
step created, and this service's durable consumers as the server holds them. `serve` runs both
before it accepts a request (`cli`); the embedded default (`make run`, the tests) skips them."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import nats
from nats.aio.client import Client
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig
from nats.js.errors import NotFoundError
from packaging.version import InvalidVersion, Version
from sqlalchemy.engine import make_url

from .devkeys import DEFAULT_ISSUER
from .messaging import ALL_STREAMS, Durable, connect_options
from .settings import ServiceSettings

MINIMUM_NATS_SERVER = Version("2.12.3")
"""Jepsen's analysis of NATS 2.12.1 found acknowledged writes lost with lazy fsync and on crashes
of a minority; the fixes are in 2.12.3."""
REPLICAS = 3


@dataclass(frozen=True)
class UnsafeSetting:
    setting: str
    """The environment variable to change (`QN_INTAKE_DATABASE_URL`)."""
    problem: str

    def __str__(self) -> str:
        return f"{self.setting}: {self.problem}"


class RefusedToStart(SystemExit):
    """Raised by `serve` in the production profile; its message names every unsafe setting."""

    def __init__(self, service: str, problems: Iterable[UnsafeSetting]) -> None:
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{service}: the production profile refuses to start:\n{lines}")


def unsafe_settings(settings: ServiceSettings) -> list[UnsafeSetting]:
    """What the settings alone show to be unsafe in production."""
    name = settings.env_name
    problems = []
    if make_url(settings.database_url).get_backend_name() != "postgresql":
        problems.append(UnsafeSetting(name("database_url"), "PostgreSQL is required, not SQLite or another backend"))
    if settings.stream_replicas < REPLICAS:
        problems.append(
            UnsafeSetting(name("stream_replicas"), f"{settings.stream_replicas} replicas; at least {REPLICAS} needed")
        )
    if not _nats_authenticates(settings):
        problems.append(
            UnsafeSetting(
                name("nats_credentials_file"),
                "no NATS authentication: set a credentials file, an NKey seed file, a token file, "
                f"or {name('nats_user')} with {name('nats_password_file')}",
            )
        )
    if settings.auth_issuer == DEFAULT_ISSUER or _is_local_url(settings.auth_issuer):
        problems.append(
            UnsafeSetting(name("auth_issuer"), "the identity provider's issuer is needed, not the local default")
        )
    if not settings.auth_jwks_url:
        problems.append(UnsafeSetting(name("auth_jwks_url"), "the identity provider's JWKS URL is needed"))
    elif _is_local_url(settings.auth_jwks_url):
        problems.append(UnsafeSetting(name("auth_jwks_url"), "points at this machine, not the identity provider"))
    if settings.auth_jwks_file is not None:
        problems.append(UnsafeSetting(name("auth_jwks_file"), "a local key file is for the embedded default only"))
    return problems


async def unsafe_broker(settings: ServiceSettings, durables: Iterable[Durable]) -> list[UnsafeSetting]:
    """What the broker shows to be unsafe: connects with the service's credentials, then closes."""
    try:
        connection = await nats.connect(
            settings.nats_servers,
            connect_timeout=5,
            allow_reconnect=False,  # one try per server: a refusal is the answer, not a reason to wait
            error_cb=_reported_anyway,
            **connect_options(settings),
        )
    except Exception as exc:  # noqa: BLE001 -- whatever it is, the service cannot start safely
        return [UnsafeSetting(settings.env_name("nats_url"), f"cannot connect: {type(exc).__name__}: {exc}")]
    try:
        return await _broker_problems(settings, connection, durables)
    finally:
        await connection.close()


async def _broker_problems(
    settings: ServiceSettings, connection: Client, durables: Iterable[Durable]
) -> list[UnsafeSetting]:
    name = settings.env_name
    problems = []
    version = unsafe_server_version(str(connection._server_info.get("version", "")))
    if version:
        problems.append(UnsafeSetting(name("nats_url"), version))
    js = connection.jetstream(timeout=5)
    for spec in ALL_STREAMS:
        try:
            info = await js.stream_info(spec.name)
        except NotFoundError:
            problems.append(
                UnsafeSetting(name("nats_url"), f"stream {spec.name} is missing: run the migration step first")
            )
            continue
        problem = unsafe_stream(info.config)
        if problem:
            problems.append(UnsafeSetting(name("stream_replicas"), problem))
    for durable in durables:
        try:
            consumer = await js.consumer_info(durable.stream, durable.name)
        except NotFoundError:
            continue  # created on start, with explicit ack and max_deliver (consumer_loop.durable_config)
        problem = unsafe_consumer(consumer.config, durable.name)
        if problem:
            problems.append(UnsafeSetting(name("consumer_max_deliver"), problem))
    return problems


def unsafe_server_version(version: str) -> str | None:
    """Why a nats-server of `version` is unsafe, or None."""
    try:
        found = Version(version)
    except InvalidVersion:
        return f"nats-server reports no readable version ({version!r}); {MINIMUM_NATS_SERVER} or newer is needed"
    if found < MINIMUM_NATS_SERVER:
        return f"nats-server {found} is older than {MINIMUM_NATS_SERVER} (acknowledged writes can be lost)"
    return None


def unsafe_stream(config: StreamConfig) -> str | None:
    """Why a stream's configuration is unsafe, or None."""
    if config.storage != StorageType.FILE:
        return f"stream {config.name} keeps its messages in memory, not in files"
    if (config.num_replicas or 1) < REPLICAS:
        return f"stream {config.name} has {config.num_replicas or 1} replicas; at least {REPLICAS} needed"
    return None


def unsafe_consumer(config: ConsumerConfig, durable: str) -> str | None:
    """Why a durable consumer's configuration is unsafe, or None."""
    if config.ack_policy != AckPolicy.EXPLICIT:
        policy = config.ack_policy
        return f"consumer {durable} does not acknowledge explicitly (ack policy {policy}); delete it to recreate it"
    if config.max_deliver is None or config.max_deliver <= 0:
        return f"consumer {durable} redelivers without limit (max_deliver); delete it to recreate it"
    return None


async def _reported_anyway(_: Exception) -> None:
    """nats-py's default error callback logs each failed try with a traceback; the refusal says it once."""


def _nats_authenticates(settings: ServiceSettings) -> bool:
    if settings.nats_credentials_file or settings.nats_nkey_seed_file or settings.nats_token_file:
        return True
    if settings.nats_user and settings.nats_password_file:
        return True
    # credentials in the URL itself (nats://user:password@host) count too
    return bool(settings.nats_servers) and all(urlsplit(url).username for url in settings.nats_servers)


def _is_local_url(value: str) -> bool:
    host = urlsplit(value).hostname if "://" in value else None
    if host is None:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
