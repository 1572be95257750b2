"""`python -m qn_reporting serve|migrate|republish|openapi|rebuild`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from qn_infra.cli import run_service_cli

from .app import create_app
from .config import ReportingSettings
from .rebuild import HELP, RebuildFailed, StillRunning, print_progress, rebuild

MIGRATIONS = Path(__file__).parent / "migrations"


def _commands(commands: Any) -> None:
    command = commands.add_parser(
        "rebuild",
        help="count every event again from the streams and replace the aggregates (service stopped)",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("--force", action="store_true", help="run even though a consumer is still being pulled from")
    command.add_argument("--json", action="store_true", help="print what was read and written as JSON on stdout")


def _run(args: argparse.Namespace, settings: ReportingSettings) -> int:
    if args.command == "rebuild":
        runtime = create_app(settings).state.runtime
        try:
            result = rebuild(runtime, force=args.force, progress=print_progress)
        except StillRunning as exc:
            print(f"rebuild refused: {exc}", file=sys.stderr)
            return 2
        except RebuildFailed as exc:
            print(f"rebuild failed: {exc}", file=sys.stderr)
            return 1
        for line in result.invalid_examples:
            print(f"  skipped: {line}", file=sys.stderr)
        positions = ", ".join(
            f"{read.durable} after #{read.continues_after}" if read.continues_after is not None else read.durable
            for read in result.streams
        )
        print(
            f"rebuilt from {result.messages:,} messages ({result.events:,} events counted) in {result.seconds:.1f} s "
            f"({result.messages / max(result.seconds, 1e-9):,.0f} messages/s). Consumers continue: {positions}. "
            "Start reporting again.",
            file=sys.stderr,
        )
        if args.json:
            print(json.dumps(result.as_dict()))
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
