"""Berlin's real street directory for the address tests: imported once per test session through
`python -m qn_intake import-streets` into a fresh test database (PostgreSQL when DATABASE_URL is
set, SQLite otherwise), then loaded from that database as the running service loads it.

The data lies beside the project (`../shared/data/berlin/`), never in it; without it these tests
are skipped and say why."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from qn_infra.database import make_engine, make_sessionmaker, migrate
from qn_intake.addresses import store
from qn_intake.addresses.directory import DirectoryRow, StreetDirectory
from qn_intake.addresses.importer import directory_file
from qn_testkit.databases import DatabaseFactory
from qn_testkit.services import MIGRATIONS, REPO

# beside the project, never in it; QN_BERLIN_DATA names another folder holding adressen.csv.gz
BERLIN = Path(os.environ.get("QN_BERLIN_DATA", REPO / ".." / "shared" / "data" / "berlin")) / "adressen.csv.gz"
BERLIN_ADDRESSES = 401_032


@dataclass
class Berlin:
    rows: list[DirectoryRow]
    directory: StreetDirectory
    database_url: str
    import_output: str
    import_seconds: float
    load_seconds: float


def berlin_file() -> Path:
    if not BERLIN.is_file():
        pytest.skip(
            f"Berlin's street directory is not at {BERLIN.resolve()} (it lies beside the project, in "
            "../shared/data/berlin/, or where QN_BERLIN_DATA points; these tests need it)"
        )
    return BERLIN


@pytest.fixture(scope="session")
def berlin(databases: DatabaseFactory) -> Berlin:
    """Imported with the real command, loaded from the database the way the service loads it."""
    path = berlin_file()
    url = databases.create("intake_berlin")
    migrate(url, MIGRATIONS["intake"])
    env = {**os.environ, "QN_INTAKE_DATABASE_URL": url}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "qn_intake", "import-streets", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    import_seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        directory = store.load_directory(make_sessionmaker(engine))
        load_seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    rows = list(directory_file(path).rows())
    return Berlin(rows, directory, url, done.stdout + done.stderr, import_seconds, load_seconds)
