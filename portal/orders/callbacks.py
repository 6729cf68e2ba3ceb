"""回访 rules: one callback per closure, and which levels count as satisfied (an admin setting; DOMAIN.md §3:
by default the first three)."""
from __future__ import annotations

from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.orders.enums import DEFAULT_SATISFIED, CallbackResult
from portal.orders.models import Callback, OrderEvent


class CallbackLevel(db.Model):
    """One 回访 level and whether it counts as satisfied; a level without a row takes the default."""

    __tablename__ = "callback_level"

    level: Mapped[str] = mapped_column(String(20), primary_key=True)
    satisfied: Mapped[bool]


def satisfied_levels() -> frozenset[CallbackResult]:
    stored = {CallbackResult(level): flag for level, flag in db.session.execute(
        select(CallbackLevel.level, CallbackLevel.satisfied))}
    return frozenset(r for r in CallbackResult if stored.get(r, r in DEFAULT_SATISFIED))


def save_satisfied_levels(levels) -> None:
    """Store the whole setting (every level gets a row), then flush."""
    chosen = {CallbackResult(v) for v in levels}
    for result in CallbackResult:
        row = db.session.get(CallbackLevel, result.value) or CallbackLevel(level=result.value)
        row.satisfied = result in chosen
        db.session.add(row)
    db.session.flush()


def closure_number(order) -> int:
    """Which closure of the order a callback now is about: 1, and one more after every reopen after closing."""
    reopens = select(func.count(OrderEvent.id)).where(OrderEvent.order_id == order.id, OrderEvent.action == "reopen")
    return (db.session.scalar(reopens) or 0) + 1


def called_back(order) -> bool:
    """The order's current closure already has its callback."""
    if order.id is None:
        return False
    stmt = select(Callback.id).where(Callback.order_id == order.id, Callback.closure == closure_number(order))
    return db.session.scalar(stmt) is not None
