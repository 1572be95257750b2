"""the weekly slot of recurring neighbourly help (contracts 1.7's help.requested.weekly_slot)

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-12 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("help_requests", sa.Column("weekly_slot", sa.JSON(), nullable=True))


def downgrade() -> None:
    # a batch copy on SQLite, where a plain DROP COLUMN may not be available
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.drop_column("weekly_slot")
