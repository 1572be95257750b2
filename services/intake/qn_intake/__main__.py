"""`python -m qn_intake serve|migrate|republish|openapi|import-streets`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from qn_infra.cli import run_service_cli
from qn_infra.database import make_engine, make_sessionmaker

from .addresses import store
from .addresses.importer import directory_file
from .app import create_app
from .config import IntakeSettings
from .db import import_models

MIGRATIONS = Path(__file__).parent / "migrations"


def _commands(commands: Any) -> None:
    streets = commands.add_parser(
        "import-streets", help="replace the street directory from a CSV file (.csv or .csv.gz)"
    )
    streets.add_argument("path", type=Path)
    streets.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="map a field (street, house_number, house_number_suffix, postcode, locality, quarter_id) to a CSV column",
    )


def _run(args: argparse.Namespace, settings: IntakeSettings) -> int:
    if args.command == "import-streets":
        import_models()
        columns = dict(item.split("=", 1) for item in args.column)
        sessions = make_sessionmaker(make_engine(settings.database_url))

        def progress(count: int) -> None:
            print(f"\r{count:>9,} addresses imported", end="", file=sys.stderr, flush=True)

        count = store.replace_directory(sessions, directory_file(args.path, columns), progress=progress)
        print(f"\n{count:,} addresses in the street directory", file=sys.stderr)
        return 0
    raise SystemExit(f"unknown command {args.command}")


def main() -> None:
    sys.exit(
        run_service_cli(
            settings_class=IntakeSettings,
            create_app=create_app,
            migrations=MIGRATIONS,
            extra_commands=_commands,
            run_extra=_run,
        )
    )


if __name__ == "__main__":
    main()
