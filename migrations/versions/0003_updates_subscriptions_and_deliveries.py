"""updates, subscriptions and deliveries

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 17:21:18.837422
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_subscriptions_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions')),
    sa.UniqueConstraint('incident_id', 'user_id', name=op.f('uq_subscriptions_incident_id'))
    )
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscriptions_incident_id'), ['incident_id'], unique=False)

    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('skipped', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['timeline_events.id'], name=op.f('fk_deliveries_event_id_timeline_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_deliveries_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliveries_incident_id'), ['incident_id'], unique=False)

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latest_update', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('latest_update_at', models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('update_due_at', models.types.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thread_ts', sa.String(length=32), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.drop_column('thread_ts')

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('update_due_at')
        batch_op.drop_column('latest_update_at')
        batch_op.drop_column('latest_update')

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliveries_incident_id'))

    op.drop_table('deliveries')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscriptions_incident_id'))

    op.drop_table('subscriptions')
