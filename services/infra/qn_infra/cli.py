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

import uvicorn
from fastapi import FastAPI

from . import streams
from .database import migrate
from .logs import configure_logging, get_logger
from .outbox import republish
from .production import RefusedToStart, unsafe_broker, unsafe_settings
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

    if args.command == "serve" and settings.profile == "production" and (problems := unsafe_settings(settings)):
        raise RefusedToStart(name, problems)  # before `--migrate` touches a database
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
    if settings.profile == "production":  # the settings passed above; now what the broker holds
        problems = asyncio.run(unsafe_broker(settings, app.state.runtime.messaging.durables))
        if problems:
            raise RefusedToStart(name, problems)
        log.info("production_profile_checked")
    app.state.runtime.on_start.append(freeze_start_up_objects)
    log.info("service_starting", host=settings.host, port=settings.port)
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_config=None, access_log=False, timeout_graceful_shutdown=10
    )
    return 0


async def create_streams(settings: ServiceSettings, *, timeout: float = 10.0) -> int:
    """`python -m qn_<service> streams`: the migration step's stream creation (`qn_infra.streams`),
    run as the generated `admin` user -- the services' users may not. Returns the exit code."""
    log = get_logger("qn_infra.streams")
    try:
        names = await streams.create_streams(settings, timeout=timeout)
    except RefusedToStart:
        raise
    except TimeoutError:  # nats-py's TimeoutError is one too: a refused request gets no answer
        log.error("streams_not_created", error="no answer; may this NATS user create streams (admin)?")
        return 1
    except Exception as exc:  # noqa: BLE001 -- reported and the exit code says it failed
        log.error("streams_not_created", error=repr(exc))
        return 1
    log.info("streams_ready", streams=names, replicas=settings.stream_replicas)
    return 0


def freeze_start_up_objects() -> None:
    """Moves what start-up left behind (modules, routes, mappers, compiled schemas) out of the
    cyclic garbage collector's way, so that the full collections the allocations of busy consumers
    bring about do not walk all of it each time (measured in matching: a tenth or more of the time
    per event). Only for a served process: a test process starting many apps would keep them."""
    gc.collect()
    gc.freeze()
