"""`uvicorn qn_portal.asgi:app`: the portal with settings from the environment (the benchmark and
process managers that start an ASGI app by name)."""

from __future__ import annotations

from qn_infra.logs import configure_logging

from .app import create_app
from .config import PortalSettings

_settings = PortalSettings()
configure_logging("portal", level=_settings.log_level, json=_settings.log_json)
app = create_app(_settings)
