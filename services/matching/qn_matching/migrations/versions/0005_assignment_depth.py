"""assignment depth: skill levels, how a proposal came about (ranking, offered to several,
assigned by hand), what a coordinator overrode, a weekly slot for recurring help

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 12:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skill_levels', sa.JSON(), nullable=True))
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via', sa.String(length=20), server_default='ranking', nullable=False))
    with op.batch_alter_table('task_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overrides', sa.JSON(), nullable=True))
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weekly_slot', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_column('weekly_slot')
    with op.batch_alter_table('task_log', schema=None) as batch_op:
        batch_op.drop_column('overrides')
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_column('via')
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.drop_column('skill_levels')
