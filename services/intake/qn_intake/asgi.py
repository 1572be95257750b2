"""ASGI entry point for servers that import an app (`uvicorn qn_intake.asgi:app`): settings from
the environment, logging configured, as `python -m qn_intake serve` does."""

from __future__ import annotations

from qn_infra.logs import configure_logging

from .app import create_app
from .config import IntakeSettings

settings = IntakeSettings()
configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
app = create_app(settings)
