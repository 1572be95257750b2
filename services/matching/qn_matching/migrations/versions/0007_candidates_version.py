"""candidates version: a counter the database moves on every change to who can be proposed or
to their load, so that the help-request consumer may keep its candidates from batch to batch

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 06:30:00

The counter is moved by triggers, not by the code that writes: every writer -- an HTTP request,
a job, a consumer, another replica, a later route -- moves it without having to remember.
On SQLite, a later migration that recreates `volunteers`, `volunteer_absences` or `matches`
(`batch_alter_table` with a change SQLite cannot make in place) drops their triggers; it must
create them again (`test_candidates_version` fails otherwise).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

BUMP = "UPDATE candidates_version SET version = version + 1"
# PostgreSQL: once per transaction, naming it -- a batch of the help-request consumer tells its
# own move from another's by that (`matches/kept_pool.py`)
PG_BUMP = (
    "UPDATE candidates_version SET version = version + 1, changed_in = txid_current() "
    "WHERE changed_in IS DISTINCT FROM txid_current()"
)

# SQLite: (table, trigger name part, event): a volunteer's or an absence's every
# change; a proposal's creation, removal and change of status (its volunteer's load)
TRIGGERS = (
    ("volunteers", "insert", "INSERT"),
    ("volunteers", "update", "UPDATE"),
    ("volunteers", "delete", "DELETE"),
    ("volunteer_absences", "insert", "INSERT"),
    ("volunteer_absences", "update", "UPDATE"),
    ("volunteer_absences", "delete", "DELETE"),
    ("matches", "insert", "INSERT"),
    ("matches", "update", "UPDATE OF status, volunteer_id"),
    ("matches", "delete", "DELETE"),
)
# PostgreSQL: table -> events (one constraint trigger each)
PG_EVENTS = {
    "volunteers": "INSERT OR UPDATE OR DELETE",
    "volunteer_absences": "INSERT OR UPDATE OR DELETE",
    "matches": "INSERT OR DELETE OR UPDATE OF status, volunteer_id",
}


def upgrade() -> None:
    op.create_table('candidates_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('changed_in', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidates_version'))
    )
    op.execute("INSERT INTO candidates_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        # deferred to the commit: the counter's row is locked last, when a transaction holds
        # every other lock it will take -- moved at once, it would be locked before the rows a
        # transaction locks afterwards (a decline locks the counter, then the next volunteer's
        # key for the new proposal; a coordinator pausing that volunteer, the other way round)
        op.execute(
            "CREATE FUNCTION candidates_changed() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {PG_BUMP}; RETURN NULL; END $$"
        )
        for table, events in PG_EVENTS.items():
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_candidates_changed AFTER {events} ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION candidates_changed()"
            )
        return
    # SQLite has row triggers only
    for table, name, event in TRIGGERS:
        op.execute(f"CREATE TRIGGER {table}_{name}_candidates_changed AFTER {event} ON {table} BEGIN {BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in PG_EVENTS:
            op.execute(f"DROP TRIGGER {table}_candidates_changed ON {table}")
        op.execute("DROP FUNCTION candidates_changed()")
    else:
        for table, name, _ in TRIGGERS:
            op.execute(f"DROP TRIGGER {table}_{name}_candidates_changed")
    op.drop_table('candidates_version')
