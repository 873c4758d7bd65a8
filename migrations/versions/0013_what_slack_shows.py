"""what the summary and the announcement last showed in Slack (digests), so that only a difference is sent

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_shown', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('announcement_shown', sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('announcement_shown')
        batch_op.drop_column('summary_shown')
