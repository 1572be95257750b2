"""`python -m qn_matching serve|migrate|republish|openapi`."""

from __future__ import annotations

import sys
from pathlib import Path

from qn_infra.cli import run_service_cli

from .app import create_app
from .config import MatchingSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def main() -> None:
    sys.exit(run_service_cli(settings_class=MatchingSettings, create_app=create_app, migrations=MIGRATIONS))


if __name__ == "__main__":
    main()
