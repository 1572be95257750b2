"""`python -m qn_contracts [--check] [--out DIR]`: write (or compare) the generated documents."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .documents import asyncapi_document, schema_files

DEFAULT_OUT = Path(__file__).resolve().parent.parent


def render() -> dict[str, str]:
    """Relative path -> file content, for every generated document."""
    files = {f"schemas/{name}": schema for name, schema in schema_files().items()}
    files["asyncapi.json"] = asyncapi_document()
    return {path: json.dumps(doc, indent=2, ensure_ascii=False) + "\n" for path, doc in files.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qn_contracts", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory to write into")
    parser.add_argument("--check", action="store_true", help="only report files that differ")
    args = parser.parse_args(argv)
    wanted = render()
    stale = (
        sorted(path for path in (args.out / "schemas").glob("*.json") if f"schemas/{path.name}" not in wanted)
        if (args.out / "schemas").is_dir()
        else []
    )
    changed = [p for p, text in wanted.items() if not (args.out / p).is_file() or (args.out / p).read_text() != text]
    if args.check:
        for p in changed:
            print(f"differs: {p}")
        for path in stale:
            print(f"not generated: schemas/{path.name}")
        return 1 if changed or stale else 0
    for p in changed:
        target = args.out / p
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(wanted[p])
    for path in stale:
        path.unlink()
    print(f"contracts: {len(wanted)} documents, {len(changed)} written, {len(stale)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
