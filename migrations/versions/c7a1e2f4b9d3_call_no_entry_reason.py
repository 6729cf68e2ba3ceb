"""call.no_entry_reason: why a direct reply cites no knowledge-base entry

Revision ID: c7a1e2f4b9d3
Revises: a7c3e1f04b21
Create Date: 2026-12-01 16:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c7a1e2f4b9d3'
down_revision = 'a7c3e1f04b21'
branch_labels = None
depends_on = None


def upgrade():
    # Existing direct replies keep NULL: they were recorded before the reason was asked for.
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_entry_reason', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_column('no_entry_reason')
