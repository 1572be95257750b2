"""Each service's Alembic migrations build exactly the schema its models declare -- on the
backend this run uses (PostgreSQL in CI, SQLite otherwise)."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from qn_infra.database import make_engine, migrate
from qn_testkit.databases import DatabaseFactory
from qn_testkit.services import MIGRATIONS

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("service", sorted(MIGRATIONS))
def test_migrations_build_the_schema_the_models_declare(service: str, databases: DatabaseFactory) -> None:
    url = databases.create(service)
    migrate(url, MIGRATIONS[service])
    db = importlib.import_module(f"qn_{service}.db")
    if hasattr(db, "import_models"):
        db.import_models()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": False}), db.Base.metadata
            )
    finally:
        engine.dispose()
    assert not differences, f"{service}: models and migrations differ -- generate a migration: {differences}"
