"""room weeks: each room's booked and open minutes per ISO week, from room.occupancy_changed; the
rooms' public names beside their site's

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "room_weeks",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("room_id", sa.String(length=64), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("quarter_id", sa.String(length=64), nullable=False),
        sa.Column("minutes_booked", sa.BigInteger(), nullable=False),
        sa.Column("minutes_open", sa.BigInteger(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "room_id", "week", name=op.f("pk_room_weeks")),
    )
    with op.batch_alter_table("site_names") as table:
        table.add_column(sa.Column("rooms", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("site_names") as table:
        table.drop_column("rooms")
    op.drop_table("room_weeks")
