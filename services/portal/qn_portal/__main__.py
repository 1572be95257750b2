"""`python -m qn_portal [serve]`: the portal on QN_PORTAL_HOST:QN_PORTAL_PORT (default 127.0.0.1:8000)."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from qn_infra.logs import configure_logging

from .app import create_app
from .config import PortalSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qn_portal", description="Quartiersnetz portal (web app)")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve"])
    parser.parse_args(argv)
    settings = PortalSettings()
    configure_logging("portal", level=settings.log_level, json=settings.log_json)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
