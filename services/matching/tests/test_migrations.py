"""Matching's data migrations: rows written under an older schema mean the same afterwards."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from qn_infra.database import make_engine, migrate
from qn_testkit.databases import DatabaseFactory
from qn_testkit.services import MIGRATIONS

pytestmark = pytest.mark.integration


def test_volunteers_of_the_1_0_statuses_get_their_lifecycle_names_in_0003(databases: DatabaseFactory) -> None:
    url = databases.create("matching")
    migrate(url, MIGRATIONS["matching"], "0002")
    engine = make_engine(url)
    ids = {status: uuid.uuid4() for status in ("applied", "active", "paused", "inactive", "withdrawn")}
    at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    try:
        with engine.begin() as connection:
            for status, volunteer_id in ids.items():
                as_stored = volunteer_id.hex if url.startswith("sqlite") else str(volunteer_id)
                connection.execute(
                    text(
                        "INSERT INTO volunteers (id, volunteer_ref, display_name, quarter_id, skills, languages,"
                        " availability, status, registered_by, registered_at, status_changed_at) VALUES (:id, :ref,"
                        " 'X.', 'rosslau', '[\"walk\"]', '[\"de\"]', '[]', :status, 'anna', :at, :at)"
                    ),
                    {
                        "id": as_stored,
                        "ref": uuid.uuid4().hex if url.startswith("sqlite") else str(uuid.uuid4()),
                        "status": status,
                        "at": at,
                    },
                )
        migrate(url, MIGRATIONS["matching"])
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, status, archive_reason FROM volunteers")).all()
    finally:
        engine.dispose()
    after = {uuid.UUID(str(row.id)): (row.status, row.archive_reason) for row in rows}
    assert after == {
        ids["applied"]: ("prospective", None),
        ids["active"]: ("active", None),
        ids["paused"]: ("paused", None),
        ids["inactive"]: ("inactive", None),
        ids["withdrawn"]: ("inactive", "quit"),
    }
