"""incidents, roles and timeline

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 16:40:18.904145
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('severity', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('service', sa.String(length=100), nullable=True),
    sa.Column('declared_by', sa.String(length=32), nullable=False),
    sa.Column('declared_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_by', sa.String(length=32), nullable=True),
    sa.Column('acknowledged_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('mitigated_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolution_summary', sa.Text(), nullable=True),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('channel_name', sa.String(length=80), nullable=True),
    sa.Column('channel_topic', sa.String(length=250), nullable=True),
    sa.Column('invited_users', sa.JSON(), nullable=False),
    sa.Column('summary_ts', sa.String(length=32), nullable=True),
    sa.Column('summary_pinned', sa.Boolean(), nullable=False),
    sa.Column('announcement_channel_id', sa.String(length=32), nullable=True),
    sa.Column('announcement_ts', sa.String(length=32), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('synced_revision', sa.Integer(), nullable=False),
    sa.Column('sync_lease_until', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sync_retry_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sync_failures', sa.Integer(), nullable=False),
    sa.Column('sync_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents')),
    sa.UniqueConstraint('channel_id', name=op.f('uq_incidents_channel_id'))
    )
    op.create_table('role_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('assigned_by', sa.String(length=32), nullable=True),
    sa.Column('started_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_role_assignments_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_assignments'))
    )
    with op.batch_alter_table('role_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_assignments_incident_id'), ['incident_id'], unique=False)

    op.create_table('timeline_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=32), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('announce', sa.Boolean(), nullable=False),
    sa.Column('channel_ts', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_timeline_events_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timeline_events'))
    )
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timeline_events_incident_id'), ['incident_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timeline_events_incident_id'))

    op.drop_table('timeline_events')
    with op.batch_alter_table('role_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_assignments_incident_id'))

    op.drop_table('role_assignments')
    op.drop_table('incidents')
