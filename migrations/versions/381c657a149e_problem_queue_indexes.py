"""问题工单 queue at city scale: partial indexes of the open problem orders in the list's two orders

Revision ID: 381c657a149e
Revises: 4c1e9b7a2d58
Create Date: 2026-12-02 02:40:00

The queue is sorted by deadline (or acceptance); its rows were found by walking the index of all open orders
by deadline and keeping those with problem_at set (23.8 ms at 1,000,000 orders on SQLite, 3.4 ms at 100,000).
Indexes over the open problem orders only, by (handle_deadline, id) and (accepted_at, id), give the page and
its badge their rows in order at any size. Their condition says "still moving" as `state NOT IN ('closed',
'merged')`, which the list repeats word for word; the badge's index on problem_at over all open orders
(7d2f0c4a9b13) is read by nothing any more and goes. Created directly (not in batch mode): SQLite must not
recreate work_order, whose search triggers live outside the models.
"""
from alembic import op

revision = "381c657a149e"
down_revision = "4c1e9b7a2d58"
branch_labels = None
depends_on = None

OPEN_SQL = "state IN ('pending', 'dispatched', 'in_progress', 'return_requested', 'extension_requested', 'replied')"
OPEN_PROBLEM_SQL = "problem_at IS NOT NULL AND state NOT IN ('closed', 'merged')"
INDEXES = {
    "ix_work_order_open_problem_deadline": ["handle_deadline", "id"],
    "ix_work_order_open_problem_accepted": ["accepted_at", "id"],
}


def upgrade():
    import sqlalchemy as sa

    for name, columns in INDEXES.items():
        op.create_index(name, "work_order", columns, unique=False,
                        sqlite_where=sa.text(OPEN_PROBLEM_SQL), postgresql_where=sa.text(OPEN_PROBLEM_SQL))
    op.drop_index("ix_work_order_open_problem", table_name="work_order")


def downgrade():
    import sqlalchemy as sa

    op.create_index("ix_work_order_open_problem", "work_order", ["problem_at"], unique=False,
                    sqlite_where=sa.text(OPEN_SQL), postgresql_where=sa.text(OPEN_SQL))
    for name in INDEXES:
        op.drop_index(name, table_name="work_order")
