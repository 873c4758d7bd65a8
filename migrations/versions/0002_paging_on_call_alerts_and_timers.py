"""paging, on-call, alerts and timers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:09:06.233556
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('oncall_handoff_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule', sa.String(length=80), nullable=False),
    sa.Column('shift_start', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('notified_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_handoff_notices')),
    sa.UniqueConstraint('schedule', 'shift_start', name=op.f('uq_oncall_handoff_notices_schedule'))
    )
    op.create_table('oncall_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule', sa.String(length=80), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('starts_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_overrides'))
    )
    with op.batch_alter_table('oncall_overrides', schema=None) as batch_op:
        batch_op.create_index('ix_oncall_overrides_schedule_ends_at', ['schedule', 'ends_at'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('dedup_key', sa.String(length=255), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('firing', sa.Boolean(), nullable=False),
    sa.Column('fired_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_alerts_incident_id_incidents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('source', 'dedup_key', name=op.f('uq_alerts_source'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_incident_id'), ['incident_id'], unique=False)

    op.create_table('pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('policy', sa.String(length=100), nullable=True),
    sa.Column('user_id', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('started_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('starts_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_by', sa.String(length=32), nullable=True),
    sa.Column('acknowledged_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_pages_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pages'))
    )
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pages_incident_id'), ['incident_id'], unique=False)

    op.create_table('timers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=200), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('due_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('claimed_until', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('done_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_timers_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timers'))
    )
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timers_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index('ix_timers_pending_due', ['due_at', 'id'], unique=False, postgresql_where=sa.text('done_at IS NULL AND cancelled_at IS NULL'), sqlite_where=sa.text('done_at IS NULL AND cancelled_at IS NULL'))
        batch_op.create_index('uq_timers_pending_key', ['key'], unique=True, postgresql_where=sa.text('done_at IS NULL AND cancelled_at IS NULL'), sqlite_where=sa.text('done_at IS NULL AND cancelled_at IS NULL'))

    op.create_table('page_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('timer_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=True),
    sa.Column('renotify', sa.Boolean(), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_page_notifications_page_id_pages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_notifications'))
    )
    with op.batch_alter_table('page_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_notifications_page_id'), ['page_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_page_notifications_timer_id'), ['timer_id'], unique=False)

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transient', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('transient')

    with op.batch_alter_table('page_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_notifications_timer_id'))
        batch_op.drop_index(batch_op.f('ix_page_notifications_page_id'))

    op.drop_table('page_notifications')
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index('uq_timers_pending_key', postgresql_where=sa.text('done_at IS NULL AND cancelled_at IS NULL'), sqlite_where=sa.text('done_at IS NULL AND cancelled_at IS NULL'))
        batch_op.drop_index('ix_timers_pending_due', postgresql_where=sa.text('done_at IS NULL AND cancelled_at IS NULL'), sqlite_where=sa.text('done_at IS NULL AND cancelled_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_timers_incident_id'))

    op.drop_table('timers')
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pages_incident_id'))

    op.drop_table('pages')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alerts_incident_id'))

    op.drop_table('alerts')
    with op.batch_alter_table('oncall_overrides', schema=None) as batch_op:
        batch_op.drop_index('ix_oncall_overrides_schedule_ends_at')

    op.drop_table('oncall_overrides')
    op.drop_table('oncall_handoff_notices')
