"""callbacks: five levels with a satisfied setting, one per closure; one-time form tokens

Revision ID: c7a9d2e4f6b1
Revises: b4c2e8f1a9d3
Create Date: 2026-12-01 16:30:00

Existing 回访 rows keep their level (满意, 基本满意 and 不满意 are three of GB/T 39734-2020's five, stored
under the same codes).
"""
import sqlalchemy as sa
from alembic import op

revision = 'c7a9d2e4f6b1'
down_revision = 'b4c2e8f1a9d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'callback_level',
        sa.Column('level', sa.String(length=20), nullable=False),
        sa.Column('satisfied', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('level'),
    )


def downgrade():
    op.drop_table('callback_level')
