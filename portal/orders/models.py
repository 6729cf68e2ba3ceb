"""Work orders (工单), their 流转记录 events, subjects and tags.

Statistics (DOMAIN.md §4) read the orders' history (portal/orders/history.py), which every event
brings up to date from these columns.
"""
from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import (
    JSON, CheckConstraint, Column, Enum, ForeignKey, Index, String, Table, Text, UniqueConstraint, bindparam, or_,
    select, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.roles import Role
from portal.clock import now
from portal.extensions import db
from portal.orders.enums import (
    ACTIVE_STATES, CURRENT_TASK_STATES, FINISHED_STATES, OPEN_STATES, CallbackResult, OrderKind, OrderState, TaskRole,
    TaskState,
)


def _enum(cls, length=30):
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


order_tag = Table(
    "order_tag",
    db.metadata,
    Column("order_id", ForeignKey("work_order.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class Subject(db.Model):
    """事项分类: a two-level tree (e.g. 城乡建设 › 市容环境). Hot topics count second-level subjects."""

    __tablename__ = "subject"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    display_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped["Subject | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Subject"]] = relationship(back_populates="parent")

    @property
    def path(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent else self.name


class Tag(db.Model):
    """标签: cross-cutting marks such as 优化营商环境, 生态环境保护."""

    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)


# The database's copy of the lifecycle's promises (portal.orders.transitions sets these columns):
# a merged order names the order it was merged into and only a merged one does; an order a unit holds has
# that unit; a pending one has none; a closed order has its completion and closing times.
HELD_STATES = sorted(s.value for s in (*ACTIVE_STATES, OrderState.REPLIED))
LIFECYCLE_CHECKS = {
    "merged_into": "(state = 'merged') = (merged_into_id IS NOT NULL)",
    "held_by_unit": f"state NOT IN ({', '.join(repr(s) for s in HELD_STATES)}) OR unit_id IS NOT NULL",
    "pending_no_unit": "state <> 'pending' OR unit_id IS NULL",
    "closed_completed": "state <> 'closed' OR (completed_at IS NOT NULL AND closed_at IS NOT NULL)",
}


# Orders still moving (OPEN_STATES): the lists' work tabs and queues. Partial indexes hold only these, and
# list queries repeat this exact condition so that SQLite can use them (portal/orders/queries.py).
OPEN_SQL = "state IN (" + ", ".join(f"'{s.value}'" for s in OPEN_STATES) + ")"


def _open_index(name: str, *columns: str, where: str = OPEN_SQL) -> Index:
    return Index(name, *columns, sqlite_where=text(where), postgresql_where=text(where))


# The 问题工单 queue (reopened or passed on too often, still moving) has partial indexes of its own. Its list
# states "still moving" in these other words on purpose, so that the open orders' indexes do not qualify for
# it: SQLite keeps no statistics for an empty partial index and, with no 问题工单 at all, would rather walk
# every open order by deadline (cost growing with the city) than read the empty index.
NOT_FINISHED_SQL = "state NOT IN (" + ", ".join(f"'{s.value}'" for s in FINISHED_STATES) + ")"
OPEN_PROBLEM_SQL = f"problem_at IS NOT NULL AND {NOT_FINISHED_SQL}"


class WorkOrder(db.Model):
    __tablename__ = "work_order"
    __table_args__ = (
        Index("ix_work_order_last_unit_accepted", "last_unit_id", "accepted_at"),
        Index("ix_work_order_unit_state", "unit_id", "state"),
        *(CheckConstraint(sql, name=name) for name, sql in LIFECYCLE_CHECKS.items()),
        # The lists (one index per list order; see docs/decisions.md, "Lists at city scale").
        _open_index("ix_work_order_open_unit_deadline", "unit_id", "handle_deadline", "id"),
        _open_index("ix_work_order_open_unit_accepted", "unit_id", "accepted_at", "id"),
        _open_index("ix_work_order_open_deadline", "handle_deadline", "id"),
        _open_index("ix_work_order_open_accepted", "accepted_at", "id"),
        _open_index("ix_work_order_open_problem_deadline", "handle_deadline", "id", where=OPEN_PROBLEM_SQL),
        _open_index("ix_work_order_open_problem_accepted", "accepted_at", "id", where=OPEN_PROBLEM_SQL),
        Index("ix_work_order_unit_state_accepted", "unit_id", "state", "accepted_at", "id"),
        Index("ix_work_order_unit_state_deadline", "unit_id", "state", "handle_deadline", "id"),
        Index("ix_work_order_state_accepted", "state", "accepted_at", "id"),
        Index("ix_work_order_state_deadline", "state", "handle_deadline", "id"),
        Index("ix_work_order_deadline", "handle_deadline", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # like 2018072106
    accepted_at: Mapped[datetime] = mapped_column(index=True)  # 受理时间
    kind: Mapped[OrderKind] = mapped_column(_enum(OrderKind, 20))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"), index=True)
    caller_name: Mapped[str | None] = mapped_column(String(50))
    caller_mobile: Mapped[str | None] = mapped_column(String(20), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    urgent: Mapped[bool] = mapped_column(default=False)
    confidential: Mapped[bool] = mapped_column(default=False)

    state: Mapped[OrderState] = mapped_column(_enum(OrderState), default=OrderState.PENDING, index=True)
    # The unit that holds the order now (NULL while 待派单); unit users are scoped by it.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    # The last unit the order was dispatched to, never cleared: statistics count the order for it.
    last_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    # The liaison working the order (经办人), set on signing; moved on a roster handover.
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    dispatched_at: Mapped[datetime | None]
    sign_deadline: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    # When the running handle clock started: the last dispatch, reopen or rejected reply.
    handle_started_at: Mapped[datetime | None]
    handle_deadline: Mapped[datetime | None]  # includes approved extensions
    # When the unit submitted the reply that the centre accepted (imported: 办结时间).
    completed_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]
    return_count: Mapped[int] = mapped_column(default=0)
    extension_count: Mapped[int] = mapped_column(default=0)
    reopen_count: Mapped[int] = mapped_column(default=0)
    designated: Mapped[bool] = mapped_column(default=False)  # 指定: may not be returned again
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"))
    # When the order became a 问题工单 (reopened or passed between units too often; never cleared).
    problem_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    # Optimistic locking: two people acting on one order at once, one wins, the other gets a Conflict.
    version: Mapped[int] = mapped_column(default=1)

    subject: Mapped[Subject | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=order_tag)
    unit: Mapped["Unit | None"] = relationship(foreign_keys=[unit_id])  # noqa: F821
    handler: Mapped["User | None"] = relationship(foreign_keys=[handler_id])  # noqa: F821
    last_unit: Mapped["Unit | None"] = relationship(foreign_keys=[last_unit_id])  # noqa: F821
    events: Mapped[list["OrderEvent"]] = relationship(
        back_populates="order", order_by="OrderEvent.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def unit_scope_column(cls):
        return cls.unit_id

    @classmethod
    def unit_scope_clause(cls, unit_ids):
        """Orders a unit user may see: held by one of `unit_ids`, or given to one of them as a task."""
        from portal.web.scoping import among

        held = among(cls.unit_id, unit_ids)
        # Most units hold every order they see (a county sees its townships' parts through the order it
        # holds): then the lists keep their index order. Otherwise an uncorrelated IN keeps both halves
        # indexable (SQLite's OR-by-union, PostgreSQL's BitmapOr).
        if db.session.scalar(_given_elsewhere(), {"unit_ids": list(unit_ids)}):
            return or_(held, cls.id.in_(_given(unit_ids)))
        return held

    def __repr__(self) -> str:
        return f"<WorkOrder {self.number} {self.state}>"


def _given(unit_ids):
    """The orders given to one of `unit_ids` as a task (a part not withdrawn)."""
    from portal.web.scoping import among

    tasks = OrderTask.__table__
    return select(tasks.c.order_id).where(among(tasks.c.unit_id, unit_ids), tasks.c.state != TaskState.WITHDRAWN.value)


@cache
def _given_elsewhere():
    """Whether any order given to the units `unit_ids` (an expanding parameter) is held by another unit. Built
    once: every unit user's request asks it."""
    tasks, orders = OrderTask.__table__, WorkOrder.__table__
    unit_ids = bindparam("unit_ids", expanding=True)
    given = (select(tasks.c.order_id).join(orders, orders.c.id == tasks.c.order_id)
             .where(tasks.c.unit_id.in_(unit_ids), tasks.c.state != TaskState.WITHDRAWN.value,
                    or_(orders.c.unit_id.is_(None), orders.c.unit_id.not_in(unit_ids))))
    return select(given.exists())


class OrderEvent(db.Model):
    """One transition in the 流转记录: who (role, unit), when, from → to, what they wrote. Never edited."""

    __tablename__ = "order_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[OrderState | None] = mapped_column(_enum(OrderState))
    to_state: Mapped[OrderState | None] = mapped_column(_enum(OrderState))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_role: Mapped[Role | None] = mapped_column(_enum(Role, 20))
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    at: Mapped[datetime] = mapped_column(default=now, index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    order: Mapped[WorkOrder] = relationship(back_populates="events")
    actor: Mapped["User | None"] = relationship()  # noqa: F821
    actor_unit: Mapped["Unit | None"] = relationship()  # noqa: F821


class Callback(db.Model):
    """回访: the centre asks the citizen after closing; one per closure (a reopened order gets a new one)."""

    __tablename__ = "callback"
    __table_args__ = (UniqueConstraint("order_id", "closure", name="uq_callback_order_closure"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"), index=True)
    result: Mapped[CallbackResult] = mapped_column(_enum(CallbackResult, 20))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Which closure of the order this callback is about: 1 + the reopens before it. NULL only for the
    # repeated callbacks of one closure recorded before the rule existed (kept, not counted).
    closure: Mapped[int | None]
    # When an upheld appeal (申诉成立) took this rating out of the figures: counted as of T only before it.
    excluded_at: Mapped[datetime | None]

    order: Mapped[WorkOrder] = relationship()


CURRENT_TASK_SQL = "state IN (" + ", ".join(f"'{s.value}'" for s in sorted(CURRENT_TASK_STATES)) + ")"


class OrderTask(db.Model):
    """A part of an order given to a unit that does not hold it (DOMAIN.md §1 主办/协办, 二级派单).

    The centre gives 协办 parts to co-units (assigner_unit_id NULL); a unit passes the order, or its own part,
    down to its sub-units as 主办 or 协办 inside the unit (assigner_unit_id = that unit, parent_task_id = the
    task it passes on, if it held the order through a task). The order itself stays with its lead unit
    (work_order.unit_id) and counts for it; only portal.orders.transitions changes a task.
    """

    __tablename__ = "order_task"
    __table_args__ = (
        # One current part per unit and order; ended parts (released, accepted, withdrawn) stay as history.
        Index("uq_order_task_current", "order_id", "unit_id", unique=True,
              sqlite_where=text(CURRENT_TASK_SQL), postgresql_where=text(CURRENT_TASK_SQL)),
        Index("ix_order_task_unit_state", "unit_id", "state"),
        Index("ix_order_task_assigner_state", "assigner_unit_id", "state"),
        CheckConstraint("assigner_unit_id IS NULL OR assigner_unit_id <> unit_id", name="not_to_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    # Who gave the part: NULL is the centre (协办); otherwise the unit that passed the order down.
    assigner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    parent_task_id: Mapped[int | None] = mapped_column(ForeignKey("order_task.id"), index=True)
    role: Mapped[TaskRole] = mapped_column(_enum(TaskRole, 10))
    state: Mapped[TaskState] = mapped_column(_enum(TaskState, 20), default=TaskState.DISPATCHED)
    task_text: Mapped[str] = mapped_column(Text, default="")
    dispatched_at: Mapped[datetime]
    deadline: Mapped[datetime]
    signed_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]  # released, accepted or withdrawn
    opinion: Mapped[str] = mapped_column(Text, default="")  # 协办意见 / the sub-unit's reply
    # The latest reason given on the task: a release asked for, or a reply sent back down.
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(default=1)

    order: Mapped[WorkOrder] = relationship(backref="tasks")
    unit: Mapped["Unit"] = relationship(foreign_keys=[unit_id])  # noqa: F821
    assigner_unit: Mapped["Unit | None"] = relationship(foreign_keys=[assigner_unit_id])  # noqa: F821
    parent_task: Mapped["OrderTask | None"] = relationship(remote_side=[id])
    handler: Mapped["User | None"] = relationship(foreign_keys=[handler_id])  # noqa: F821

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def unit_scope_column(cls):
        return cls.unit_id

    def __repr__(self) -> str:
        return f"<OrderTask {self.order_id}→{self.unit_id} {self.role} {self.state}>"
