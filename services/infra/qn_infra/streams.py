"""`python -m qn_infra.streams`: creates the JetStream streams, or brings their configuration up
to date -- the migration step of a production deployment, run once before the services with a
NATS user allowed to manage streams (the services themselves are not, and only check them).

Settings come from `QN_STREAMS_*` variables (`QN_STREAMS_NATS_URL`, `QN_STREAMS_STREAM_REPLICAS`,
`QN_STREAMS_NATS_CREDENTIALS_FILE`, ...); with `QN_STREAMS_PROFILE=production` it refuses fewer
than three replicas and a nats-server older than 2.12.3."""

from __future__ import annotations

import asyncio
import sys
from typing import ClassVar

import nats
from pydantic_settings import SettingsConfigDict

from .messaging import ALL_STREAMS, connect_options, ensure_streams
from .production import REPLICAS, RefusedToStart, UnsafeSetting, unsafe_server_version
from .settings import ServiceSettings


class StreamSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="QN_STREAMS_", extra="ignore")

    service_name: ClassVar[str] = "streams"


async def create_streams(settings: ServiceSettings, *, timeout: float = 10.0) -> list[str]:
    """Creates or updates every stream; returns their names. Also `python -m qn_<service> streams`."""
    connection = await nats.connect(
        settings.nats_servers, connect_timeout=5, max_reconnect_attempts=3, **connect_options(settings)
    )
    try:
        if settings.profile == "production":
            problems = []
            version = unsafe_server_version(str(connection._server_info.get("version", "")))
            if version:
                problems.append(UnsafeSetting(settings.env_name("nats_url"), version))
            if settings.stream_replicas < REPLICAS:
                problems.append(UnsafeSetting(settings.env_name("stream_replicas"), f"at least {REPLICAS} needed"))
            if problems:
                raise RefusedToStart("streams", problems)
        await ensure_streams(connection.jetstream(timeout=timeout), settings.stream_replicas)
    finally:
        await connection.close()
    return [spec.name for spec in ALL_STREAMS]


def main() -> None:
    settings = StreamSettings()
    names = asyncio.run(create_streams(settings))
    print(f"{len(names)} streams ready with {settings.stream_replicas} replicas: {', '.join(names)}", file=sys.stderr)


if __name__ == "__main__":
    main()
