"""SQLite: a new proposal no longer moves `candidates_version` by a row trigger; the highest
`matches` rowid tells a new row instead

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:00:00

The trigger ran an UPDATE for every proposal the help-request consumer wrote: about a tenth of
the consumer's time per event on SQLite. A new row always takes a rowid above every row's
(SQLite without AUTOINCREMENT gives max(rowid) + 1), so the counter together with the highest
rowid changes on every insert as the counter alone did; removing a row still moves the counter
(its trigger stays), so a reused rowid is never mistaken for the old state (`kept_pool`).
PostgreSQL keeps its deferred trigger: it moves the counter once per transaction, not per row.
"""

from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER matches_insert_candidates_changed")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER matches_insert_candidates_changed AFTER INSERT ON matches "
            "BEGIN UPDATE candidates_version SET version = version + 1; END"
        )
