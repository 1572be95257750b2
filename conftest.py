"""Fixtures every test suite in the repository shares (root conftest).

The broker is always a real nats-server with JetStream, started per test on a free port with a
temporary store; the database is PostgreSQL when DATABASE_URL says so, SQLite otherwise."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

from qn_infra.clock import TickingClock
from qn_infra.embedded_broker import NatsServer
from qn_infra.logs import configure_logging
from qn_infra.settings import ServiceSettings
from qn_testkit.auth import Tokens
from qn_testkit.canaries import leaks_in_log, leaks_on_broker
from qn_testkit.databases import DatabaseFactory, postgres_in_docker
from qn_testkit.days import CRITICAL_DAYS, reference_day

_FACTORY: DatabaseFactory | None = None
_CONTAINER: object | None = None
_BACKEND = "SQLite (no DATABASE_URL, no Docker engine)"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that asks for `clock` and is marked `across_dates` runs once per critical day."""
    if "clock" in metafunc.fixturenames and metafunc.definition.get_closest_marker("across_dates"):
        metafunc.parametrize("clock", list(CRITICAL_DAYS.values()), ids=list(CRITICAL_DAYS), indirect=True)


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> Iterator[TickingClock]:
    """The clock of the services under test: starts on the reference day (or, for tests marked
    `across_dates`, on each critical day) and moves on with real time. The process's wall clock
    travels along (time-machine), so code that still read it directly would be caught out too."""
    start: datetime = getattr(request, "param", None) or reference_day()
    with time_machine.travel(start, tick=True):
        yield TickingClock(start)


def pytest_configure(config: pytest.Config) -> None:
    """Chooses the database backend once: DATABASE_URL if set; else PostgreSQL in a testcontainer
    when a Docker engine answers (QN_TEST_DOCKER=0 turns that off); else SQLite."""
    global _CONTAINER, _BACKEND
    # the services under test log as in production (JSON lines), so the canary scan below reads
    # what an operator's log store would hold
    configure_logging("test", json=True)
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        _BACKEND = "PostgreSQL (DATABASE_URL)"
        return
    if os.environ.get("DATABASE_URL") or os.environ.get("QN_TEST_DOCKER") == "0":
        return
    found = postgres_in_docker()
    if found is not None:
        url, _CONTAINER = found
        os.environ["DATABASE_URL"] = url  # the service processes of the e2e tests inherit it
        _BACKEND = "PostgreSQL (testcontainers)"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _CONTAINER is not None:
        _CONTAINER.stop()  # type: ignore[attr-defined]


def _factory(tmp_root: Path) -> DatabaseFactory:
    global _FACTORY
    if _FACTORY is None:
        _FACTORY = DatabaseFactory(tmp_root)
    return _FACTORY


def pytest_report_header(config: pytest.Config) -> str:
    return f"Quartiersnetz database backend: {_BACKEND}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_sep("=", f"database backend used: {_BACKEND}; broker: nats-server from the venv")


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = _factory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Tokens:
    return Tokens(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def service_settings(
    databases: DatabaseFactory, nats_server: NatsServer, tokens: Tokens, tmp_path: Path
) -> Callable[..., Any]:
    """`service_settings(IntakeSettings, city_dir=...)`: a service's settings for this test -- its
    own fresh database, this test's broker and token keys, quick relay polling."""

    def make(settings_class: type[ServiceSettings], **overrides: Any) -> ServiceSettings:
        values: dict[str, Any] = {
            "database_url": databases.create(settings_class.service_name),
            "nats_url": nats_server.url,
            "auth_jwks_file": tokens.jwks_file,
            "data_dir": tmp_path,
            "outbox_poll_seconds": 0.1,
            # the relay in the test's own process, on the test's clock (its own process: test_relay_process)
            "outbox_relay": "task",
            **overrides,
        }
        return settings_class(**values)

    return make


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A fresh nats-server with JetStream for this test; tests may kill and restart it. When the
    test ends, no stream may hold any personal data the test sent (see qn_testkit.canaries)."""
    server = NatsServer(tmp_path / "jetstream", log_file=tmp_path / "nats-server.log").start()
    yield server
    leaks = leaks_on_broker(server.url) if server.running else []
    server.stop()
    assert not leaks, "personal data on the broker:\n" + "\n".join(leaks)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A test whose log lines hold personal data it sent fails, whatever it asserted itself."""
    report = yield
    if report.passed:
        leaks = [leak for name, text in report.sections for leak in leaks_in_log(text, name)]
        if leaks:
            report.outcome = "failed"
            report.longrepr = "personal data in log lines:\n" + "\n".join(leaks[:20])
    return report


@pytest.fixture(scope="module")
def module_service_settings(
    databases: DatabaseFactory, tokens: Tokens, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Any]]:
    """`service_settings` for one app shared by a whole test module (the authorisation matrix
    runs hundreds of cells against one app): a fresh database and a broker of the module's own."""
    directory = tmp_path_factory.mktemp("module")
    server = NatsServer(directory / "jetstream", log_file=directory / "nats-server.log").start()

    def make(settings_class: type[ServiceSettings], **overrides: Any) -> ServiceSettings:
        values: dict[str, Any] = {
            "database_url": databases.create(settings_class.service_name),
            "nats_url": server.url,
            "auth_jwks_file": tokens.jwks_file,
            "data_dir": directory,
            "outbox_poll_seconds": 0.1,
            # the relay in the test's own process, on the test's clock (its own process: test_relay_process)
            "outbox_relay": "task",
            **overrides,
        }
        return settings_class(**values)

    yield make
    leaks = leaks_on_broker(server.url) if server.running else []
    server.stop()
    assert not leaks, "personal data on the broker:\n" + "\n".join(leaks)
