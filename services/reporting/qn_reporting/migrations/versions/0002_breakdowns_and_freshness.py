"""breakdowns (unmet need, weekly signals, neighbourly help, drop-in centres) and freshness

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 12:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # filled from the streams by `python -m qn_reporting rebuild` (events before this revision)
    op.create_table(
        "breakdowns",
        sa.Column("figure", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("place", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.String(length=64), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("hundredths", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("figure", "period", "place", "topic", "detail", name=op.f("pk_breakdowns")),
    )
    op.create_table(
        "freshness",
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("latest", sa.DateTime(timezone=True), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("event_type", name=op.f("pk_freshness")),
    )
    op.create_table(
        "offer_names",
        sa.Column("offer_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("offer_id", name=op.f("pk_offer_names")),
    )
    op.create_table(
        "site_names",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_site_names")),
    )


def downgrade() -> None:
    op.drop_table("site_names")
    op.drop_table("offer_names")
    op.drop_table("freshness")
    op.drop_table("breakdowns")
