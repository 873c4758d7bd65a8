"""reports, action items and their reminders

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 21:27:01.778294
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('action_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=32), nullable=False),
    sa.Column('priority', sa.String(length=2), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('tracker_url', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_by', sa.String(length=32), nullable=True),
    sa.Column('done_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_action_items_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_items')),
    sa.UniqueConstraint('incident_id', 'number', name=op.f('uq_action_items_incident_id'))
    )
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_items_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_items_owner'), ['owner'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('impact', sa.Text(), nullable=True),
    sa.Column('root_cause', sa.Text(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('went_well', sa.Text(), nullable=True),
    sa.Column('went_badly', sa.Text(), nullable=True),
    sa.Column('lucky', sa.Text(), nullable=True),
    sa.Column('blameless', sa.Boolean(), nullable=True),
    sa.Column('edited_by', sa.String(length=32), nullable=True),
    sa.Column('edited_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('requested_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('review_due_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.String(length=32), nullable=True),
    sa.Column('canvas_id', sa.String(length=32), nullable=True),
    sa.Column('canvas_digest', sa.String(length=64), nullable=True),
    sa.Column('canvas_unavailable', sa.Text(), nullable=True),
    sa.Column('file_id', sa.String(length=32), nullable=True),
    sa.Column('file_requested_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_reports_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('incident_id', name=op.f('uq_reports_incident_id'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action_item_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_deliveries_action_item_id_action_items'), 'action_items', ['action_item_id'], ['id'], ondelete='CASCADE')



def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_deliveries_action_item_id_action_items'), type_='foreignkey')
        batch_op.drop_column('action_item_id')

    op.drop_table('reports')
    with op.batch_alter_table('action_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_items_owner'))
        batch_op.drop_index(batch_op.f('ix_action_items_incident_id'))

    op.drop_table('action_items')
