"""The lifecycle backed by the database: handle_started_at, and CHECK constraints tying state to columns

- work_order.handle_started_at: when the running handle clock started (the last dispatch, reopen or
  rejected reply). Filled from each order's history once, here; afterwards the lifecycle sets it.
- CHECK constraints: merged ⇔ merged_into_id; a state held by a unit ⇒ unit_id; 待派单 ⇒ no unit_id;
  已办结 ⇒ completed_at and closed_at.

Existing rows are mended first where the history says what the column should be (the merge event names the
target; a held order's unit is its last unit; a closed order's times are those of its accepting event or its
accepted reply). A row that still contradicts its state stops the upgrade with its order numbers, so nobody
loses data silently.

Revision ID: a7c3e1f04b21
Revises: 1c80af76bc3c
Create Date: 2026-12-01 16:30:00
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "a7c3e1f04b21"
down_revision = "1c80af76bc3c"
branch_labels = None
depends_on = None

HELD = ("dispatched", "in_progress", "return_requested", "extension_requested", "replied")
CHECKS = {
    "merged_into": "(state = 'merged') = (merged_into_id IS NOT NULL)",
    "held_by_unit": f"state NOT IN ({', '.join(repr(s) for s in sorted(HELD))}) OR unit_id IS NOT NULL",
    "pending_no_unit": "state <> 'pending' OR unit_id IS NULL",
    "closed_completed": "state <> 'closed' OR (completed_at IS NOT NULL AND closed_at IS NOT NULL)",
}
CLOCK_STARTS = ("dispatch", "reopen", "reject_reply")


def _data(value):
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return {}
    return value or {}


def _mend(conn) -> None:
    order = sa.table("work_order", sa.column("id"), sa.column("number"), sa.column("state"),
                     sa.column("unit_id"), sa.column("last_unit_id"), sa.column("merged_into_id"),
                     sa.column("completed_at"), sa.column("closed_at"), sa.column("dispatched_at"),
                     sa.column("handle_started_at"))
    event = sa.table("order_event", sa.column("id"), sa.column("order_id"), sa.column("action"),
                     sa.column("at"), sa.column("data"))
    reply = sa.table("reply", sa.column("order_id"), sa.column("submitted_at"), sa.column("status"))

    def update(order_id, **values):
        conn.execute(order.update().where(order.c.id == order_id).values(**values))

    # The running handle clock: the latest dispatch, reopen or rejected reply (else the dispatch time).
    starts = conn.execute(sa.select(event.c.order_id, sa.func.max(event.c.at))
                          .where(event.c.action.in_(CLOCK_STARTS)).group_by(event.c.order_id)).all()
    for order_id, at in starts:
        update(order_id, handle_started_at=at)
    conn.execute(order.update().where(order.c.handle_started_at.is_(None), order.c.dispatched_at.is_not(None))
                 .values(handle_started_at=order.c.dispatched_at))

    # 已并单 without its target: the merge event names it.
    for order_id, in conn.execute(sa.select(order.c.id).where(order.c.state == "merged",
                                                              order.c.merged_into_id.is_(None))).all():
        merges = conn.execute(sa.select(event.c.data).where(event.c.order_id == order_id, event.c.action == "merge")
                              .order_by(event.c.id.desc())).scalars().all()
        target = next((_data(d).get("into_id") for d in merges if _data(d).get("into_id")), None)
        if target is not None:
            update(order_id, merged_into_id=target)
    conn.execute(order.update().where(order.c.state != "merged", order.c.merged_into_id.is_not(None))
                 .values(merged_into_id=None))
    # A held order without its unit: the unit it was last dispatched to holds it.
    conn.execute(order.update().where(order.c.state.in_(HELD), order.c.unit_id.is_(None))
                 .values(unit_id=order.c.last_unit_id))
    conn.execute(order.update().where(order.c.state == "pending", order.c.unit_id.is_not(None))
                 .values(unit_id=None))
    # 已办结 without its times: the accepted reply's submission, the acceptance (or import) event.
    for order_id, completed, closed in conn.execute(sa.select(order.c.id, order.c.completed_at, order.c.closed_at).where(
            order.c.state == "closed", sa.or_(order.c.completed_at.is_(None), order.c.closed_at.is_(None)))).all():
        accepted = conn.execute(sa.select(sa.func.max(event.c.at)).where(
            event.c.order_id == order_id, event.c.action.in_(("accept_reply", "import", "close_imported")))).scalar()
        submitted = conn.execute(sa.select(sa.func.max(reply.c.submitted_at)).where(
            reply.c.order_id == order_id, reply.c.status == "approved")).scalar()
        completed = completed or submitted or closed or accepted
        closed = closed or accepted or completed
        if completed is not None and closed is not None:
            update(order_id, completed_at=completed, closed_at=closed)

    bad = []
    for name, condition in CHECKS.items():
        rows = conn.execute(sa.text(f"SELECT number FROM work_order WHERE NOT ({condition}) ORDER BY number")).scalars()
        bad += [f"{number}（{name}）" for number in rows]
    if bad:
        raise RuntimeError("以下工单的状态与字段矛盾，且无法从流转记录推断，请先人工核对后再升级："
                           + "、".join(bad[:50]) + ("等" if len(bad) > 50 else ""))


def upgrade():
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handle_started_at", sa.DateTime(), nullable=True))
    _mend(op.get_bind())
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(name, condition)


def downgrade():
    with op.batch_alter_table("work_order", schema=None) as batch_op:
        for name in reversed(list(CHECKS)):
            batch_op.drop_constraint(batch_op.f(f"ck_work_order_{name}"), type_="check")
        batch_op.drop_column("handle_started_at")
