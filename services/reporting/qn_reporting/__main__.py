"""`python -m qn_reporting serve|migrate|republish|openapi|rebuild`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from qn_infra.cli import run_service_cli

from .app import create_app
from .config import ReportingSettings
from .rebuild import HELP, StillRunning, rebuild

MIGRATIONS = Path(__file__).parent / "migrations"


def _commands(commands: Any) -> None:
    command = commands.add_parser(
        "rebuild",
        help="forget the aggregates and count every event again from the streams (service stopped)",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("--force", action="store_true", help="run even though a consumer is still being pulled from")


def _run(args: argparse.Namespace, settings: ReportingSettings) -> int:
    if args.command == "rebuild":
        runtime = create_app(settings).state.runtime
        try:
            result = rebuild(runtime, force=args.force)
        except StillRunning as exc:
            print(f"rebuild refused: {exc}", file=sys.stderr)
            return 2
        print(
            f"aggregates emptied; consumers deleted: {', '.join(result.deleted_consumers) or 'none'}. "
            "Start reporting to count every event again.",
            file=sys.stderr,
        )
        return 0
    raise SystemExit(f"unknown command {args.command}")


def main(argv: list[str] | None = None) -> None:
    sys.exit(
        run_service_cli(
            settings_class=ReportingSettings,
            create_app=create_app,
            migrations=MIGRATIONS,
            extra_commands=_commands,
            run_extra=_run,
            argv=argv,
        )
    )


if __name__ == "__main__":
    main()
