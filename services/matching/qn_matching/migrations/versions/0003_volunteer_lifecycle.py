"""volunteer lifecycle: prospective -> approved -> active <-> paused -> inactive, or denied;
archive reasons, self-registration references, absences (pauses with a date range); reach, a cap
on open tasks, and vetting (who inspected the police certificate, its date, the outcome, the
re-check date); the reasons a proposal was made; an index for reading a quarter's candidates

Rows of 1.0's statuses move to their new names: `applied` -> `prospective`, and `withdrawn`
(the volunteer ended their engagement) -> `inactive` with the archive reason `quit`.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archive_reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('application_ref', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('status_changed_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('reach', sa.String(length=20), server_default='own_quarter', nullable=False))
        batch_op.add_column(sa.Column('reach_km', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('max_open_tasks', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('vetting_inspected_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('vetting_certificate_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('vetting_no_relevant_entry', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('vetting_recheck_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('vetting_recorded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_volunteers_application_ref'), ['application_ref'])
        batch_op.create_index(batch_op.f('ix_volunteers_vetting_recheck_on'), ['vetting_recheck_on'], unique=False)
        batch_op.create_index('ix_volunteers_quarter_id_status', ['quarter_id', 'status'], unique=False)

    op.create_table('volunteer_absences',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('volunteer_id', sa.Uuid(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('entered_by', sa.String(length=200), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_volunteer_absences_volunteer_id_volunteers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_absences'))
    )
    with op.batch_alter_table('volunteer_absences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_absences_ends_on'), ['ends_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_absences_volunteer_id'), ['volunteer_id'], unique=False)

    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reasons', sa.JSON(), nullable=True))

    volunteers = sa.table('volunteers', sa.column('status', sa.String), sa.column('archive_reason', sa.String))
    op.execute(volunteers.update().where(volunteers.c.status == 'applied').values(status='prospective'))
    op.execute(
        volunteers.update().where(volunteers.c.status == 'withdrawn').values(status='inactive', archive_reason='quit')
    )


def downgrade() -> None:
    volunteers = sa.table('volunteers', sa.column('status', sa.String), sa.column('archive_reason', sa.String))
    op.execute(volunteers.update().where(volunteers.c.status == 'prospective').values(status='applied'))
    op.execute(volunteers.update().where(volunteers.c.status == 'approved').values(status='inactive'))
    op.execute(volunteers.update().where(volunteers.c.status == 'denied').values(status='withdrawn'))
    op.execute(volunteers.update().where(volunteers.c.archive_reason.is_not(None)).values(status='withdrawn'))
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_column('reasons')
    with op.batch_alter_table('volunteer_absences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_absences_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_absences_ends_on'))

    op.drop_table('volunteer_absences')
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.drop_index('ix_volunteers_quarter_id_status')
        batch_op.drop_index(batch_op.f('ix_volunteers_vetting_recheck_on'))
        batch_op.drop_constraint(batch_op.f('uq_volunteers_application_ref'), type_='unique')
        for column in ('vetting_recorded_at', 'vetting_recheck_on', 'vetting_no_relevant_entry',
                       'vetting_certificate_date', 'vetting_inspected_by', 'max_open_tasks', 'reach_km', 'reach'):
            batch_op.drop_column(column)
        batch_op.drop_column('status_changed_by')
        batch_op.drop_column('application_ref')
        batch_op.drop_column('archive_reason')
