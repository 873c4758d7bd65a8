"""sync owner, page delivery retries, alert groups and an alert incident's grace period, and the app's set-up problems

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 19:36:24.492598
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_groups',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_alert_groups_incident_id_incidents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_alert_groups'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', models.types.UTCDateTime(timezone=True), nullable=True))

    op.create_table('app_problems',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('seen_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_app_problems'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sync_owner', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('reply_to', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('quiet_until', models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('alerts_firing', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('alerts_resolved', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('page_notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failures', sa.Integer(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('started_at')

    op.drop_table('alert_groups')
    op.drop_table('app_problems')
    with op.batch_alter_table('page_notifications', schema=None) as batch_op:
        batch_op.drop_column('failures')

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('alerts_resolved')
        batch_op.drop_column('alerts_firing')
        batch_op.drop_column('quiet_until')
        batch_op.drop_column('reply_to')
        batch_op.drop_column('sync_owner')

