"""heartbeats, worker ticks, maintenance windows and drills

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-03 13:44:25.749105
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = '0012'
down_revision = '0008'
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
    op.create_table('worker_ticks',
    sa.Column('worker', sa.String(length=100), nullable=False),
    sa.Column('ticked_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('worker', name=op.f('pk_worker_ticks'))
    )
    with op.batch_alter_table('worker_ticks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_ticks_ticked_at'), ['ticked_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('worker_ticks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_ticks_ticked_at'))

    op.drop_table('worker_ticks')
    op.drop_table('heartbeats')
