"""carriers' room requests, registrations for offers with limited places, per-site booking rules

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('room_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('room_id', sa.String(length=64), nullable=False),
    sa.Column('org_id', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('purpose', sa.String(length=64), nullable=True),
    sa.Column('rrule', sa.String(length=500), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('slots', sa.JSON(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('booking_ids', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['site_id', 'room_id'], ['rooms.site_id', 'rooms.room_id'], name=op.f('fk_room_requests_site_id_rooms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_requests'))
    )
    with op.batch_alter_table('room_requests', schema=None) as batch_op:
        batch_op.create_index('ix_room_requests_site_status', ['site_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_room_requests_org_id'), ['org_id'], unique=False)

    op.create_table('registrations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('occurrence_id', sa.Uuid(), nullable=False),
    sa.Column('offer_id', sa.Uuid(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('person_ref', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('registered_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('moved_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['occurrence_id'], ['occurrences.id'], name=op.f('fk_registrations_occurrence_id_occurrences')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_occurrence_status', ['occurrence_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_offer_id'), ['offer_id'], unique=False)

    # existing sites get the defaults (half a year ahead, 40 hours per carrier and month, direct booking)
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('booking_horizon_days', sa.Integer(), nullable=False, server_default='180'))
        batch_op.add_column(sa.Column('carrier_hours_per_month', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('carriers_book_directly', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.execute("UPDATE sites SET carrier_hours_per_month = 40")


def downgrade() -> None:
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('carriers_book_directly')
        batch_op.drop_column('carrier_hours_per_month')
        batch_op.drop_column('booking_horizon_days')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_offer_id'))
        batch_op.drop_index('ix_registrations_occurrence_status')
    op.drop_table('registrations')
    with op.batch_alter_table('room_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_requests_org_id'))
        batch_op.drop_index('ix_room_requests_site_status')
    op.drop_table('room_requests')
