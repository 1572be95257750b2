"""The command line every service has: `python -m qn_<service> serve|migrate|streams|republish|openapi`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import nats
import uvicorn
from fastapi import FastAPI

from .database import migrate
from .logs import configure_logging, get_logger
from .messaging import ALL_STREAMS, connect_options, ensure_streams
from .outbox import republish
from .runtime import ServiceRuntime
from .settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


def run_service_cli(
    *,
    settings_class: type[S],
    create_app: Callable[[S], FastAPI],
    migrations: Path,
    extra_commands: Callable[[Any], None] | None = None,
    run_extra: Callable[[argparse.Namespace, S], int] | None = None,
    argv: list[str] | None = None,
) -> int:
    """`extra_commands(subparsers)` adds service-specific commands; `run_extra(args, settings)` runs them."""
    name = settings_class.service_name
    parser = argparse.ArgumentParser(prog=f"python -m qn_{name}", description=f"Quartiersnetz {name} service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP API and the event consumers")
    serve.add_argument("--migrate", action="store_true", help="apply database migrations first")
    commands.add_parser("migrate", help="bring the database schema up to date")
    again = commands.add_parser("republish", help="publish already-published events again (outbox)")
    again.add_argument("--since", type=datetime.fromisoformat, required=True, help="ISO time, inclusive")
    again.add_argument("--until", type=datetime.fromisoformat, help="ISO time, exclusive")
    commands.add_parser("openapi", help="print the OpenAPI document")
    commands.add_parser(
        "streams", help="create or update the JetStream streams (the migration step; as a NATS user that may)"
    )
    if extra_commands is not None:
        extra_commands(commands)
    args = parser.parse_args(argv)

    settings = settings_class()
    configure_logging(name, level=settings.log_level, json=settings.log_json)
    log = get_logger(f"qn_{name}")

    if args.command in ("migrate", "serve") and (args.command == "migrate" or args.migrate):
        migrate(settings.database_url, migrations)
        log.info("database_migrated", backend=settings.database_url.split(":", 1)[0])
        if args.command == "migrate":
            return 0
    if args.command == "openapi":
        print(json.dumps(create_app(settings).openapi(), indent=2, ensure_ascii=False))
        return 0
    if args.command == "streams":
        return asyncio.run(create_streams(settings))
    if args.command == "republish":
        runtime: ServiceRuntime = create_app(settings).state.runtime
        count = republish(runtime.engine, runtime.outbox, since=args.since, until=args.until)
        log.info("outbox_republish_scheduled", events=count)
        print(f"{count} events will be published again")
        return 0
    if args.command != "serve":
        assert run_extra is not None, f"no handler for {args.command}"
        return run_extra(args, settings)
    app = create_app(settings)
    app.state.runtime.on_start.append(freeze_start_up_objects)
    log.info("service_starting", host=settings.host, port=settings.port)
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_config=None, access_log=False, timeout_graceful_shutdown=10
    )
    return 0


async def create_streams(settings: ServiceSettings, *, timeout: float = 10.0) -> int:
    """Creates or updates every stream with `STREAM_REPLICAS` replicas. In production this is part
    of the migration step, run as the generated `admin` user: the services' users may not."""
    log = get_logger("qn_infra.streams")
    try:
        nc = await nats.connect(
            settings.nats_servers, connect_timeout=5, allow_reconnect=False, **connect_options(settings)
        )
    except Exception as exc:  # noqa: BLE001 -- reported and the exit code says it failed
        log.error("streams_not_created", error=repr(exc))
        return 1
    try:
        await ensure_streams(nc.jetstream(timeout=timeout), settings.stream_replicas)
    except TimeoutError:  # nats-py's TimeoutError is one too: a refused request gets no answer
        log.error("streams_not_created", error="no answer; may this NATS user create streams (admin)?")
        return 1
    finally:
        await nc.close()
    log.info("streams_ready", streams=[spec.name for spec in ALL_STREAMS], replicas=settings.stream_replicas)
    return 0


def freeze_start_up_objects() -> None:
    """Moves what start-up left behind (modules, routes, mappers, compiled schemas) out of the
    cyclic garbage collector's way, so that the full collections the allocations of busy consumers
    bring about do not walk all of it each time (measured in matching: a tenth or more of the time
    per event). Only for a served process: a test process starting many apps would keep them."""
    gc.collect()
    gc.freeze()
