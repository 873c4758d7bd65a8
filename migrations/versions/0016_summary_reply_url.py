"""a button's response URL on the summary, kept for a while: the sync replaces the summary through it
instead of spending a chat.update (Slack's Tier 3) on the change that button made

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-03 17:00:00
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_reply_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('summary_reply_until', models.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('summary_reply_until')
        batch_op.drop_column('summary_reply_url')
