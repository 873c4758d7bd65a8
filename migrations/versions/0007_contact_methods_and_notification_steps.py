"""contact methods and notification steps

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 23:24:38.171147
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact_methods',
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_contact_methods'))
    )
    op.create_table('notification_rules',
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_rules'))
    )
    op.create_table('page_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('due_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('provider_ref', sa.String(length=100), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_page_deliveries_incident_id_incidents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_page_deliveries_page_id_pages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_deliveries'))
    )
    with op.batch_alter_table('page_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_deliveries_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_page_deliveries_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_page_deliveries_page_id'), ['page_id'], unique=False)

    op.create_table('used_ack_links',
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('used_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['page_deliveries.id'], name=op.f('fk_used_ack_links_delivery_id_page_deliveries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('delivery_id', name=op.f('pk_used_ack_links'))
    )


def downgrade() -> None:
    op.drop_table('used_ack_links')
    with op.batch_alter_table('page_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_deliveries_page_id'))
        batch_op.drop_index(batch_op.f('ix_page_deliveries_incident_id'))
        batch_op.drop_index(batch_op.f('ix_page_deliveries_address'))

    op.drop_table('page_deliveries')
    op.drop_table('notification_rules')
    op.drop_table('contact_methods')
