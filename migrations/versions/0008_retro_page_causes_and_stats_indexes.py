"""retro: why a page was sent, whether out of hours, and indexes for the stats queries

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 23:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cause', sa.String(length=20), nullable=True))
    with op.batch_alter_table('page_notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('out_of_hours', sa.Boolean(), nullable=True))
        batch_op.create_index(batch_op.f('ix_page_notifications_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incidents_declared_at'), ['declared_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incidents_declared_at'))
    with op.batch_alter_table('page_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_notifications_created_at'))
        batch_op.drop_column('out_of_hours')
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_column('cause')
