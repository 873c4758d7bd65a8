"""heartbeats, worker ticks, maintenance windows and drills

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:36:55.627869
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('heartbeats',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('last_checkin_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('checkins', sa.Integer(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('late_since', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_heartbeats'))
    )
    op.create_table('maintenance_windows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=100), nullable=False),
    sa.Column('starts_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_by', sa.String(length=32), nullable=True),
    sa.Column('silence_id', sa.String(length=100), nullable=True),
    sa.Column('silence_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_windows'))
    )
    with op.batch_alter_table('maintenance_windows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenance_windows_service'), ['service'], unique=False)

    op.create_table('worker_ticks',
    sa.Column('worker', sa.String(length=100), nullable=False),
    sa.Column('ticked_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('worker', name=op.f('pk_worker_ticks'))
    )
    with op.batch_alter_table('worker_ticks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_ticks_ticked_at'), ['ticked_at'], unique=False)

    op.create_table('maintenance_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('dedup_key', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('firing', sa.Boolean(), nullable=False),
    sa.Column('first_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('times', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['window_id'], ['maintenance_windows.id'], name=op.f('fk_maintenance_holds_window_id_maintenance_windows'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_holds')),
    sa.UniqueConstraint('window_id', 'source', 'dedup_key', name=op.f('uq_maintenance_holds_window_id'))
    )
    with op.batch_alter_table('maintenance_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenance_holds_window_id'), ['window_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('maintenance_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maintenance_holds_window_id'))

    op.drop_table('maintenance_holds')
    with op.batch_alter_table('worker_ticks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_ticks_ticked_at'))

    op.drop_table('worker_ticks')
    with op.batch_alter_table('maintenance_windows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maintenance_windows_service'))

    op.drop_table('maintenance_windows')
    op.drop_table('heartbeats')
