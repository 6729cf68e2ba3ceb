"""per-unit per-day sums of the figures (stat_day, stat_month, stat_change), the same per tag and subject
(stat_topic_*), and calls per day (call_day), filled from history

Revision ID: e6a41c9b3d72
Revises: e3a5c7d9b1f2
Create Date: 2026-12-01 19:15:00

The tables are sums of what each order contributes to the figures as of any T (portal/stats/aggregates.py).
The data step computes them from the rows that already exist (order_fact, the 申请退单 events, counted
callbacks, replies, the orders' tags and subjects, calls) with the portal's own `rebuild`, the function `demo generate` uses too.
"""
import sqlalchemy as sa
from alembic import op

revision = "e6a41c9b3d72"
down_revision = "e3a5c7d9b1f2"
branch_labels = None
depends_on = None

COUNTS = ("undispatched", "total", "k_consult", "k_help", "k_complaint", "k_suggestion", "k_report", "k_praise",
          "on_time", "late", "overdue_open", "in_progress", "signed", "signed_on_time", "extensions", "reopened",
          "returns", "returned_orders", "returned_away", "cb_very_satisfied", "cb_satisfied", "cb_basically_satisfied",
          "cb_unsatisfied", "cb_very_unsatisfied", "resolved")


def _counts():
    return [sa.Column(name, sa.Integer(), server_default="0", nullable=False) for name in COUNTS]


def _topic():
    return [sa.Column("topic", sa.String(length=10), nullable=False), sa.Column("ref_id", sa.Integer(), nullable=False),
            sa.Column("orders", sa.Integer(), server_default="0", nullable=False)]


def upgrade():
    op.create_table(
        "stat_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        *_counts(),
        sa.PrimaryKeyConstraint("day", "unit_id", name="pk_stat_day"),
    )
    op.create_index("ix_stat_day_unit", "stat_day", ["unit_id", "day"])
    op.create_table(
        "stat_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        *_counts(),
        sa.PrimaryKeyConstraint("month", "unit_id", name="pk_stat_month"),
    )
    op.create_table(
        "stat_change",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("is_strict", sa.Boolean(), nullable=False),
        *_counts(),
        sa.PrimaryKeyConstraint("day", "unit_id", "at", "is_strict", name="pk_stat_change"),
    )
    op.create_index("ix_stat_change_at", "stat_change", ["at", "day", "unit_id"])
    op.create_index("ix_stat_change_unit", "stat_change", ["unit_id", "day", "at"])
    for name, period in (("stat_topic_day", "day"), ("stat_topic_month", "month")):
        op.create_table(
            name,
            sa.Column(period, sa.Date(), nullable=False),
            *_topic(),
            sa.PrimaryKeyConstraint(period, "topic", "ref_id", name=f"pk_{name}"),
        )
    op.create_table(
        "stat_topic_change",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=10), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("is_strict", sa.Boolean(), nullable=False),
        sa.Column("orders", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("day", "topic", "ref_id", "at", "is_strict", name="pk_stat_topic_change"),
    )
    op.create_index("ix_stat_topic_change_at", "stat_topic_change", ["at", "day"])
    op.create_table(
        "call_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.Integer(), server_default="0", nullable=False),
        sa.Column("direct", sa.Integer(), server_default="0", nullable=False),
        sa.Column("to_order", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_call_day"),
    )
    from portal.stats.aggregates import rebuild

    rebuild(op.get_bind())


def downgrade():
    op.drop_table("call_day")
    op.drop_index("ix_stat_topic_change_at", table_name="stat_topic_change")
    for name in ("stat_topic_change", "stat_topic_month", "stat_topic_day"):
        op.drop_table(name)
    op.drop_index("ix_stat_change_unit", table_name="stat_change")
    op.drop_index("ix_stat_change_at", table_name="stat_change")
    op.drop_table("stat_change")
    op.drop_table("stat_month")
    op.drop_index("ix_stat_day_unit", table_name="stat_day")
    op.drop_table("stat_day")
