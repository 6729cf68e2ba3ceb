"""KB 类目 as a maintained list: the kb_category table, filled from the 类目 entries already use

Revision ID: 5d2b8c4e9f10
Revises: c7a9d2e4f6b1
Create Date: 2026-12-01 17:45:00

Entry versions keep the 类目 as text (kb_entry_version.category); the list says which names may be chosen.
Every distinct non-empty 类目 already on a version becomes an active category, in order of first use, so
nothing is lost and every existing entry's 类目 is in the list.
"""
import sqlalchemy as sa
from alembic import op

revision = "5d2b8c4e9f10"
down_revision = "c7a9d2e4f6b1"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "kb_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("display_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_category")),
        sa.UniqueConstraint("name", name=op.f("uq_kb_category_name")),
    )
    used = op.get_bind().execute(sa.text(
        "SELECT category AS name FROM kb_entry_version WHERE category IS NOT NULL AND category <> '' "
        "GROUP BY category ORDER BY MIN(id)")).all()
    if used:
        op.bulk_insert(table, [{"name": row.name, "display_order": 10 * n, "active": True}
                               for n, row in enumerate(used, start=1)])


def downgrade():
    op.drop_table("kb_category")
