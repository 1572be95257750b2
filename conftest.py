"""Fixtures every test suite in the repository shares (root conftest).

The broker is always a real nats-server with JetStream, started per test on a free port with a
temporary store; the database is PostgreSQL when DATABASE_URL says so, SQLite otherwise."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from qn_infra.embedded_broker import NatsServer
from qn_testkit.auth import Tokens
from qn_testkit.databases import DatabaseFactory

_FACTORY: DatabaseFactory | None = None


def _factory(tmp_root: Path) -> DatabaseFactory:
    global _FACTORY
    if _FACTORY is None:
        _FACTORY = DatabaseFactory(tmp_root)
    return _FACTORY


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("DATABASE_URL", "")
    backend = "PostgreSQL (DATABASE_URL)" if url.startswith("postgres") else "SQLite (no DATABASE_URL set)"
    return f"Quartiersnetz database backend: {backend}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    url = os.environ.get("DATABASE_URL", "")
    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    terminalreporter.write_sep("=", f"database backend used: {backend}; broker: nats-server from the venv")


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = _factory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Tokens:
    return Tokens(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A fresh nats-server with JetStream for this test; tests may kill and restart it."""
    server = NatsServer(tmp_path / "jetstream", log_file=tmp_path / "nats-server.log").start()
    yield server
    server.stop()
