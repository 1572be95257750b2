"""published reports: one row per announced version of a period report

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_reports",
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name=op.f("pk_published_reports")),
        sa.UniqueConstraint("report_id", name=op.f("uq_published_reports_report_id")),
    )
    op.create_index(op.f("ix_published_reports_period"), "published_reports", ["period"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_published_reports_period"), table_name="published_reports")
    op.drop_table("published_reports")
