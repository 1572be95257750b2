"""reminders sent, personal calendar feeds, a volunteer's e-mail address, a task's appointment

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:55:00

The other branch of this session takes 0005; the lead re-chains this one onto it at merge.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reminders',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('recipient', sa.String(length=20), nullable=False),
    sa.Column('volunteer_id', sa.Uuid(), nullable=True),
    sa.Column('match_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_reminders'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('calendar_feeds',
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_calendar_feeds_volunteer_id_volunteers')),
    sa.PrimaryKeyConstraint('volunteer_id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash'))
    )
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=320), nullable=True))

    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('appointment_starts_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('appointment_ends_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_matches_appointment_starts_at'), ['appointment_starts_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matches_appointment_starts_at'))
        batch_op.drop_column('appointment_ends_at')
        batch_op.drop_column('appointment_starts_at')

    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.drop_column('email')

    op.drop_table('calendar_feeds')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_reminders_status'))
        batch_op.drop_index(batch_op.f('ix_reminders_kind'))

    op.drop_table('reminders')
