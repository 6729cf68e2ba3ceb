"""问题工单 badge at city scale: a partial index on problem_at over the orders still moving

Revision ID: 7d2f0c4a9b13
Revises: e6a41c9b3d72
Create Date: 2026-12-01 23:10:00

Every centre list page counts the 问题工单 queue for its badge (`problem_at IS NOT NULL` among the open
orders); without an index that count read the whole table (105 ms at 100,000 orders on SQLite). Created
directly (not in batch mode): SQLite must not recreate work_order, whose search triggers live outside the
models.
"""
from alembic import op

revision = "7d2f0c4a9b13"
down_revision = "e6a41c9b3d72"
branch_labels = None
depends_on = None

OPEN_SQL = "state IN ('pending', 'dispatched', 'in_progress', 'return_requested', 'extension_requested', 'replied')"


def upgrade():
    import sqlalchemy as sa

    op.create_index("ix_work_order_open_problem", "work_order", ["problem_at"], unique=False,
                    sqlite_where=sa.text(OPEN_SQL), postgresql_where=sa.text(OPEN_SQL))


def downgrade():
    op.drop_index("ix_work_order_open_problem", table_name="work_order")
