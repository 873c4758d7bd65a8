"""on-call members, time off, cover requests, findings and calendar tokens

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:09:22.406667
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('oncall_calendar_tokens',
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_oncall_calendar_tokens'))
    )
    op.create_table('oncall_cover_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule', sa.String(length=80), nullable=False),
    sa.Column('requested_by', sa.String(length=32), nullable=False),
    sa.Column('starts_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=80), nullable=True),
    sa.Column('ts', sa.String(length=32), nullable=True),
    sa.Column('taken_by', sa.String(length=32), nullable=True),
    sa.Column('taken_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('override_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_cover_requests'))
    )
    with op.batch_alter_table('oncall_cover_requests', schema=None) as batch_op:
        batch_op.create_index('ix_oncall_cover_requests_ends_at', ['ends_at'], unique=False)

    op.create_table('oncall_finding_notices',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('said_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_oncall_finding_notices'))
    )
    op.create_table('oncall_members',
    sa.Column('entry', sa.String(length=320), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('resolved_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('entry', name=op.f('pk_oncall_members'))
    )
    op.create_table('oncall_time_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('starts_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_time_off'))
    )
    with op.batch_alter_table('oncall_time_off', schema=None) as batch_op:
        batch_op.create_index('ix_oncall_time_off_ends_at', ['ends_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('oncall_time_off', schema=None) as batch_op:
        batch_op.drop_index('ix_oncall_time_off_ends_at')

    op.drop_table('oncall_time_off')
    op.drop_table('oncall_members')
    op.drop_table('oncall_finding_notices')
    with op.batch_alter_table('oncall_cover_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_oncall_cover_requests_ends_at')

    op.drop_table('oncall_cover_requests')
    op.drop_table('oncall_calendar_tokens')
