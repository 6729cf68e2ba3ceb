"""Recompute stored deadlines of open orders when an admin enters, changes or deletes a year's arrangement.

An ordinary deadline is "23:59:59 of the N-th working day after the base date", where the base is when the
running handle clock started (`handle_started_at`: the last dispatch, reopen or rejected reply). N includes
every approved extension and whatever limit was in force then; it is read back from the stored deadline
under the OLD calendar, then laid out again on the NEW one, so approved extensions and earlier limits are
preserved. Deadlines that are not of that shape (an imported 办理时限 on a rest day, or at another time of
day) are left alone. Urgent orders run on the clock; only their approved extensions (working days, from the
extension requests approved since the clock started) depend on the calendar.

Every change goes through the lifecycle (`deadline_recomputed`), which records it on the order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from portal.calendar import arrangements as arr
from portal.calendar.deadlines import END_OF_DAY, extend_deadline
from portal.calendar.workdays import is_working_day, nth_working_day_after, working_days_between
from portal.extensions import db
from portal.orders.conditions import OPEN_STATES
from portal.orders.enums import OrderState, RequestStatus
from portal.orders.limits import current_limits
from portal.orders.models import WorkOrder
from portal.orders.records import ExtensionRequest
from portal.orders.transitions import transition

EVENT_ACTION = "deadline_recomputed"


def _fmt(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}" if value else "无"


def _extensions_since(order: WorkOrder, base: datetime) -> tuple[int, datetime | None]:
    """Working days approved as extensions since the clock started, and the deadline before the first."""
    stmt = (select(ExtensionRequest)
            .where(ExtensionRequest.order_id == order.id, ExtensionRequest.status == RequestStatus.APPROVED,
                   ExtensionRequest.decided_at >= base)
            .order_by(ExtensionRequest.decided_at, ExtensionRequest.id))
    approved = list(db.session.scalars(stmt))
    return sum(r.working_days for r in approved), (approved[0].old_deadline if approved else None)


def _count(base: date, deadline: datetime | None) -> int | None:
    """N such that deadline = 23:59:59 of the N-th working day after base, or None when not of that shape."""
    if deadline is None or deadline.time() != END_OF_DAY or deadline.date() <= base:
        return None
    if not is_working_day(deadline.date()):
        return None
    return working_days_between(base, deadline.date())


@dataclass
class _Item:
    order: WorkOrder
    base: datetime
    handle_count: int | None
    sign_count: int | None
    urgent_anchor: datetime | None  # urgent and extended: the 24-hour deadline the extensions start from
    urgent_extension_days: int


@dataclass
class RecomputePlan:
    items: list[_Item] = field(default_factory=list)

    def apply(self, actor, reason: str) -> list[WorkOrder]:
        """Lay the captured deadlines out on the (now changed) calendar; each change is a lifecycle event."""
        changed = []
        for item in self.items:
            order = item.order
            new_handle, new_sign = order.handle_deadline, order.sign_deadline
            if item.handle_count is not None:
                new_handle = datetime.combine(nth_working_day_after(item.base.date(), item.handle_count), END_OF_DAY)
            elif item.urgent_anchor is not None:
                new_handle = extend_deadline(item.urgent_anchor, item.urgent_extension_days)
            if item.sign_count is not None:
                new_sign = datetime.combine(nth_working_day_after(order.dispatched_at.date(), item.sign_count),
                                            END_OF_DAY)
            parts = []
            if new_handle != order.handle_deadline:
                parts.append(f"办理时限：原时限 {_fmt(order.handle_deadline)}，新时限 {_fmt(new_handle)}")
            if new_sign != order.sign_deadline:
                parts.append(f"签收时限：原时限 {_fmt(order.sign_deadline)}，新时限 {_fmt(new_sign)}")
            if parts:
                transition(order, EVENT_ACTION, actor, text=f"{reason}，重新计算时限。" + "；".join(parts) + "。",
                           handle_deadline=new_handle, sign_deadline=new_sign)
                changed.append(order)
        db.session.flush()
        return changed


def plan_recompute(changed_days: list[date]) -> RecomputePlan:
    """Capture, on the current (old) calendar, what the open orders touching `changed_days` depend on."""
    plan = RecomputePlan()
    if not changed_days:
        return plan
    first = datetime.combine(min(changed_days), datetime.min.time())
    after_last = datetime.combine(max(changed_days) + timedelta(days=1), datetime.min.time())
    stmt = (
        select(WorkOrder)
        .where(WorkOrder.state.in_(OPEN_STATES))
        .where(WorkOrder.dispatched_at.is_not(None), WorkOrder.dispatched_at < after_last)
        .where(or_(WorkOrder.handle_deadline >= first, WorkOrder.sign_deadline >= first))
        .order_by(WorkOrder.id)
    )
    for order in db.session.scalars(stmt):
        base = order.handle_started_at or order.dispatched_at
        extension_days, anchor = _extensions_since(order, base)
        handle_count = None if order.urgent else _count(base.date(), order.handle_deadline)
        urgent_anchor = None
        if order.urgent and extension_days and order.handle_deadline is not None:
            urgent_anchor = anchor or base + timedelta(hours=current_limits().urgent_handle_hours)
            if extend_deadline(urgent_anchor, extension_days) != order.handle_deadline:
                urgent_anchor = None  # not the shape we can recompute: leave it
        signed = order.state != OrderState.DISPATCHED or order.signed_at is not None
        sign_count = None if order.urgent or signed else _count(order.dispatched_at.date(), order.sign_deadline)
        plan.items.append(_Item(order, base, handle_count, sign_count, urgent_anchor, extension_days))
    return plan


@dataclass
class SaveOutcome:
    year: int
    changed_days: list[date]
    recomputed: list  # WorkOrder


def save_arrangement(arrangement: arr.Arrangement, actor) -> SaveOutcome:
    """Enter or replace a year's arrangement and recompute the open orders it moves. Flushes, never commits."""
    changed = arr.changed_days(arrangement)
    plan = plan_recompute(changed)
    arr.store_arrangement(arrangement, actor)
    reason = f"{arrangement.year}年节假日安排已录入或调整"
    return SaveOutcome(arrangement.year, changed, plan.apply(actor, reason))


def delete_arrangement(year: int, actor) -> SaveOutcome:
    """Remove an entered arrangement and recompute the open orders it moves."""
    changed = arr.days_changed_by_deleting(year)
    plan = plan_recompute(changed)
    arr.remove_arrangement(year)
    return SaveOutcome(year, changed, plan.apply(actor, f"{year}年节假日安排已删除"))
