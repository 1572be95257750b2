"""Each service's Alembic migrations build exactly the schema its models declare -- on the
backend this run uses (PostgreSQL in CI, SQLite otherwise)."""

from __future__ import annotations

import importlib
import json
import uuid
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

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


def test_an_override_reason_written_before_0002_moves_to_the_note_where_erasure_finds_it(
    databases: DatabaseFactory,
) -> None:
    url = databases.create("intake")
    migrate(url, MIGRATIONS["intake"], "0001")
    engine = make_engine(url)
    concern_id, at = uuid.uuid4(), datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO concerns (id, channel, topics, urgency, quarter_id, team_id, status, recorded_by,"
                    " recorded_at) VALUES (:id, 'phone', '[\"schulden\"]', 'soon', 'rosslau', 'team-rosslau', 'open',"
                    " 'anna', :at)"
                ),
                {"id": concern_id.hex if url.startswith("sqlite") else str(concern_id), "at": at},
            )
            connection.execute(
                text(
                    "INSERT INTO concern_history (concern_id, at, actor, kind, detail) "
                    "VALUES (:id, :at, 'anna', 'routing_overridden', :detail)"
                ),
                {
                    "id": concern_id.hex if url.startswith("sqlite") else str(concern_id),
                    "at": at,
                    "detail": json.dumps({"target_id": "awo-dessau", "reason": "Frau K. kennt die AWO"}),
                },
            )
        migrate(url, MIGRATIONS["intake"])
        with engine.connect() as connection:
            detail, note = connection.execute(text("SELECT detail, note FROM concern_history")).one()
    finally:
        engine.dispose()
    detail = json.loads(detail) if isinstance(detail, str) else detail
    assert (detail, note) == ({"target_id": "awo-dessau"}, "Frau K. kennt die AWO")
