"""slack_triggers: each Slack interaction's trigger id and first answer, so a replay does nothing twice

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 14:00:00
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'slack_triggers',
        sa.Column('trigger_id', sa.String(length=255), nullable=False),
        sa.Column('received_at', models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('answer', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('trigger_id'),
    )
    with op.batch_alter_table('slack_triggers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_slack_triggers_received_at'), ['received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('slack_triggers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_slack_triggers_received_at'))
    op.drop_table('slack_triggers')
