"""the status page's public incidents, updates and impacts; stored secrets

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 21:14:12.976867
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stored_secrets',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_stored_secrets'))
    )
    op.create_table('public_incidents',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('since', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_public_incidents_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', name=op.f('pk_public_incidents'))
    )
    op.create_table('public_impacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('component', sa.String(length=100), nullable=False),
    sa.Column('state', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['public_incidents.incident_id'], name=op.f('fk_public_impacts_incident_id_public_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_impacts'))
    )
    with op.batch_alter_table('public_impacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_impacts_incident_id'), ['incident_id'], unique=False)

    op.create_table('public_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('author', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['public_incidents.incident_id'], name=op.f('fk_public_updates_incident_id_public_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_updates'))
    )
    with op.batch_alter_table('public_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_updates_incident_id'), ['incident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('public_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_updates_incident_id'))

    op.drop_table('public_updates')
    with op.batch_alter_table('public_impacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_impacts_incident_id'))

    op.drop_table('public_impacts')
    op.drop_table('public_incidents')
    op.drop_table('stored_secrets')
