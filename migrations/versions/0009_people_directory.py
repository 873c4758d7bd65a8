"""people: the directory of names, time zones and avatars from Slack

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:00:00
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'people',
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=250), nullable=False),
        sa.Column('real_name', sa.String(length=250), nullable=True),
        sa.Column('display_name', sa.String(length=250), nullable=True),
        sa.Column('tz', sa.String(length=64), nullable=True),
        sa.Column('avatar_url', sa.String(length=1000), nullable=True),
        sa.Column('gone', sa.Boolean(), nullable=False),
        sa.Column('fetched_at', models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade() -> None:
    op.drop_table('people')
