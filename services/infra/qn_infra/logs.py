"""structlog, configured once per process: JSON lines (or a console renderer on a terminal), with
the service name and the current correlation id on every line. Standard-library loggers
(uvicorn, FastStream, Alembic) are routed through the same renderer.

Never log personal data: log ids and codes, not names, addresses or free text."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from typing import Any

import structlog

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_causation_id: ContextVar[str | None] = ContextVar("causation_id", default=None)


def current_correlation_id() -> str | None:
    return _correlation_id.get()


def current_causation_id() -> str | None:
    return _causation_id.get()


def bind_correlation(correlation_id: str | None, causation_id: str | None = None) -> None:
    """Sets the ids that new events and log lines carry, for the current task or thread."""
    _correlation_id.set(correlation_id)
    _causation_id.set(causation_id)
    structlog.contextvars.bind_contextvars(correlation_id=correlation_id)


def _add_correlation(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    if "correlation_id" not in event_dict and (cid := _correlation_id.get()):
        event_dict["correlation_id"] = cid
    return event_dict


class _LevelFirstLogger(structlog.stdlib.BoundLogger):
    """Drops a debug or info line below the level at once. `filter_by_level` would drop it too,
    but only after the call has built and copied its event dict: on a consumer's hot path that
    cost more than the line's purpose (a proposal per help request, logged at INFO)."""

    def debug(self, event: str | None = None, *args: Any, **kw: Any) -> Any:
        if not self._logger.isEnabledFor(logging.DEBUG):
            return None
        return super().debug(event, *args, **kw)

    def info(self, event: str | None = None, *args: Any, **kw: Any) -> Any:
        if not self._logger.isEnabledFor(logging.INFO):
            return None
        return super().info(event, *args, **kw)


def configure_logging(service: str, *, level: str = "INFO", json: bool | None = None) -> None:
    """Configures structlog and the standard library for this process."""
    if json is None:
        json = not sys.stderr.isatty()
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _add_correlation,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.CallsiteParameterAdder([structlog.processors.CallsiteParameter.MODULE])
        if not json
        else structlog.processors.StackInfoRenderer(),
    ]
    # plain tracebacks on the console too: the default (rich) one prints every frame's local
    # variables -- request headers with tokens, and whatever personal data a handler held
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)
    )
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=_LevelFirstLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[
            _add_service(service),
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log prints raw paths and query strings, which may hold personal data;
    # the HTTP middleware writes its own access line with the route template instead.
    # FastStream gives its logger a coloured plain-text handler of its own when it is imported
    # (before this runs): without this, its lines bypassed the JSON log.
    for name in ("uvicorn", "uvicorn.error", "faststream"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    # HTTP clients log every URL they call at INFO, query string included -- a name searched for,
    # a person's id: calls between services (and to the identity provider) log only their failures
    for name in ("httpx", "httpx2", "httpcore", "httpcore2"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _add_service(service: str) -> Any:
    def processor(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
        event_dict.setdefault("service", service)
        event_dict.pop("color_message", None)  # uvicorn's ANSI-coloured duplicate of the message
        return event_dict

    return processor


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)  # type: ignore[no-any-return]
