"""The facts of each order as they stood over time, for figures as of any time T (DOMAIN.md §4).

One `OrderFact` row per stretch of time in which the facts a figure reads did not change: the unit the
order counts for, the dispatch it belongs to, its deadlines and the per-dispatch counters. A row is in
force at T when `valid_from ≤ T` and (`valid_to` is NULL or `T < valid_to`). Facts that carry their own
time are kept on the row and compared with T by the query, so they never need a new row:

- `dispatched_at`: a row of an order waiting in 待派单 becomes the dispatch's row when the order is
  dispatched; before `dispatched_at` the order is still 待派单.
- `signed_at`: signed at T when `signed_at ≤ T`.
- `completed_at`: the time the accepted reply reached the centre, written on every row from then on
  when the centre accepts (a reply submitted by T and accepted later completes the order at T); a reopen
  starts a new row without it.
- `late_excused_at`: when an upheld appeal (申诉成立) excused that completion's lateness; on time as of T ≥ it.

A merged order's last row ends at the merge: from then on it is in no figure. Rows are written only by
`record_facts`, which `portal.orders.events.append_event` calls for every 流转记录 event, after the
event's effects are applied; the migration that created the table derived the rows of older orders
from their events.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.orders.enums import OrderKind, OrderState
from portal.orders.models import WorkOrder, _enum

# Facts whose change starts a new row (the others carry their own time, see the module docstring).
ROW_FACTS = ("unit_id", "dispatched_at", "sign_deadline", "handle_deadline", "extensions", "reopens")
REOPENING = frozenset({"reject_reply", "reopen"})


class OrderFact(db.Model):
    __tablename__ = "order_fact"
    __table_args__ = (
        # Covers the unit table's query: the period's rows are read from the index alone.
        Index("ix_order_fact_accepted", "accepted_at", "valid_from", "valid_to", "unit_id", "dispatched_at", "kind",
              "completed_at", "handle_deadline", "late_excused_at"),
        Index("ix_order_fact_order", "order_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"))
    # Copies of the order's fixed facts, so a table of figures reads this table alone.
    accepted_at: Mapped[datetime]
    kind: Mapped[OrderKind] = mapped_column(_enum(OrderKind, 20))
    valid_from: Mapped[datetime]
    valid_to: Mapped[datetime | None]
    # The unit the order counts for (NULL: 待派单, never dispatched or its return approved).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    dispatched_at: Mapped[datetime | None]
    sign_deadline: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    handle_deadline: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    # When an upheld appeal excused this completion's lateness (申诉成立): on time as of T from then on.
    late_excused_at: Mapped[datetime | None]
    # Approved extensions and reopens (rejected replies, 重办) within this dispatch, up to valid_from.
    extensions: Mapped[int] = mapped_column(default=0)
    reopens: Mapped[int] = mapped_column(default=0)

    order: Mapped[WorkOrder] = relationship(back_populates="facts")


WorkOrder.facts = relationship(OrderFact, back_populates="order", order_by=(OrderFact.valid_from, OrderFact.id),
                               cascade="all, delete-orphan")


def _unit_id(order: WorkOrder) -> int | None:
    if order.state in (None, OrderState.PENDING, OrderState.MERGED):
        return None
    if order.last_unit_id is not None:
        return order.last_unit_id
    return order.last_unit.id if order.last_unit is not None else None


def current_fact(order: WorkOrder) -> OrderFact | None:
    with db.session.no_autoflush:
        return next((f for f in reversed(order.facts) if f.valid_to is None), None)


# An upheld appeal against a lateness judgment (portal/appeals): the event names the completion it excuses.
LATENESS_EXCUSED = "appeal_upheld_lateness"


def record_facts(order: WorkOrder, action: str, at: datetime, data: dict | None = None) -> None:
    """Bring the order's fact rows up to date after an event at `at` (its effects already applied).

    Nothing here flushes: the transition's own flush turns a concurrent change into a Conflict."""
    with db.session.no_autoflush:
        if action == LATENESS_EXCUSED:
            _excuse(order, datetime.fromisoformat((data or {})["completed_at"]), at)
        else:
            _record(order, action, at)


def _excuse(order: WorkOrder, completed_at: datetime, at: datetime) -> None:
    """The lateness of the completion at `completed_at` is excused from `at` on: every row carrying that
    completion says so (a figure as of T < at still sees it late; `late_excused_at` is compared with T)."""
    for fact in order.facts:
        if fact.completed_at == completed_at and fact.late_excused_at is None:
            fact.late_excused_at = at


def _record(order: WorkOrder, action: str, at: datetime) -> None:
    current = current_fact(order)
    if order.state == OrderState.MERGED:
        if current is not None:
            current.valid_to = at
        return
    unit_id = _unit_id(order)
    if current is None:
        start = min(order.accepted_at, at) if order.accepted_at else at
        _open(order, start, unit_id, extensions=0, reopens=0)
        return
    if unit_id is None:
        if current.unit_id is not None:  # an approved return: 待派单 from now on
            current.valid_to = at
            _open(order, at, None, extensions=0, reopens=0)
        return
    if current.unit_id is None:  # dispatched out of 待派单: the waiting row becomes the dispatch's
        _fill(current, order, unit_id, extensions=0, reopens=0)
        return
    same_dispatch = current.unit_id == unit_id and current.dispatched_at == order.dispatched_at
    extensions = (current.extensions if same_dispatch else 0) + (action == "approve_extension")
    reopens = (current.reopens if same_dispatch else 0) + (action in REOPENING)
    new = _facts(order, unit_id, extensions, reopens)
    changed = any(getattr(current, name) != new[name] for name in ROW_FACTS)
    cleared = (current.completed_at is not None and order.completed_at != current.completed_at) or (
        current.signed_at is not None and order.signed_at != current.signed_at)
    if changed or cleared:
        current.valid_to = at
        current = _open(order, at, unit_id, extensions=extensions, reopens=reopens)
    if order.signed_at is not None and current.signed_at is None:
        current.signed_at = order.signed_at
    if order.completed_at is not None and current.completed_at is None:
        # Completed at the reply's submission: on every row in force from then on.
        for fact in order.facts:
            if fact.valid_to is None or fact.valid_to > order.completed_at:
                fact.completed_at = order.completed_at


def _facts(order: WorkOrder, unit_id, extensions: int, reopens: int) -> dict:
    return {"unit_id": unit_id, "dispatched_at": order.dispatched_at, "sign_deadline": order.sign_deadline,
            "handle_deadline": order.handle_deadline, "extensions": extensions, "reopens": reopens}


def _fill(fact: OrderFact, order: WorkOrder, unit_id, *, extensions: int, reopens: int) -> OrderFact:
    for name, value in _facts(order, unit_id, extensions, reopens).items():
        setattr(fact, name, value)
    if unit_id is None:
        fact.dispatched_at = fact.sign_deadline = fact.handle_deadline = None
    else:
        fact.signed_at, fact.completed_at = order.signed_at, order.completed_at
    return fact


def _open(order: WorkOrder, start: datetime, unit_id, *, extensions: int, reopens: int) -> OrderFact:
    fact = OrderFact(accepted_at=order.accepted_at, kind=order.kind, valid_from=start, valid_to=None,
                     extensions=0, reopens=0)
    _fill(fact, order, unit_id, extensions=extensions, reopens=reopens)
    order.facts.append(fact)
    return fact
