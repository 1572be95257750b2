"""The whole system for end-to-end and fault tests: a nats-server and the four services as real
processes, each with its own fresh database, configured the way `make run` configures them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qn_testkit.auth import Tokens
from qn_testkit.city import City, start_city, stop_city
from qn_testkit.databases import DatabaseFactory


@pytest.fixture
def city_settings() -> dict[str, dict[str, object]]:
    """Settings per service on top of `make run`'s; a test module overrides this fixture."""
    return {}


@pytest.fixture
def city(
    databases: DatabaseFactory, tokens: Tokens, tmp_path: Path, city_settings: dict[str, dict[str, object]]
) -> Iterator[City]:
    running = start_city(databases, tokens, tmp_path, **city_settings)
    try:
        yield running
    finally:
        stop_city(running)
