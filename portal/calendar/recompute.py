"""Recompute stored deadlines of open orders after the working-day calendar changed.

An ordinary deadline is "23:59:59 of the N-th working day after the base date", where the base is the
last dispatch (or the reopen that restarted the clock) and N includes every approved extension and
whatever limit was in force then. N is read back from the stored deadline under the OLD calendar, then
laid out again on the NEW one, so approved extensions and earlier limits are preserved. Deadlines that
are not of that shape (an imported 办理时限 on a rest day, or at another time of day) are left alone.
Urgent orders run on the clock; only their approved extensions (working days) depend on the calendar.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from portal.calendar.deadlines import END_OF_DAY, extend_deadline
from portal.calendar.workdays import is_working_day, nth_working_day_after, working_days_between
from portal.extensions import db
from portal.orders.enums import OrderState
from portal.orders.events import append_event
from portal.orders.models import OrderEvent, WorkOrder

CLOCK_RESTARTS = ("dispatch", "reopen", "reject_reply")
EVENT_ACTION = "deadline_recomputed"


def _fmt(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}" if value else "无"


def _base(order: WorkOrder, events: list[OrderEvent]) -> tuple[datetime, int, datetime | None]:
    """When the handle clock last (re)started, the working days approved as extensions since then, and the
    deadline before the first of those extensions (from its event's data)."""
    base, extension_days, anchor = order.dispatched_at, 0, None
    for event in events:
        if event.action in CLOCK_RESTARTS:
            base = order.dispatched_at if event.action == "dispatch" else event.at
            extension_days, anchor = 0, None
        elif event.action == "approve_extension":
            data = event.data or {}
            extension_days += int(data.get("working_days", 0))
            if anchor is None and data.get("from"):
                anchor = datetime.fromisoformat(data["from"])
    return base, extension_days, anchor


def _urgent_anchor(order: WorkOrder, base: datetime, anchor: datetime | None) -> datetime:
    if anchor is not None:
        return anchor
    from portal.calendar.limits import current_limits

    return base + timedelta(hours=current_limits().urgent_handle_hours)


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
        """Lay the captured deadlines out on the (now changed) calendar; record an event on each change."""
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
            parts, data = [], {}
            if new_handle != order.handle_deadline:
                parts.append(f"办理时限：原时限 {_fmt(order.handle_deadline)}，新时限 {_fmt(new_handle)}")
                data["handle_deadline"] = {"from": _fmt(order.handle_deadline), "to": _fmt(new_handle)}
                order.handle_deadline = new_handle
            if new_sign != order.sign_deadline:
                parts.append(f"签收时限：原时限 {_fmt(order.sign_deadline)}，新时限 {_fmt(new_sign)}")
                data["sign_deadline"] = {"from": _fmt(order.sign_deadline), "to": _fmt(new_sign)}
                order.sign_deadline = new_sign
            if parts:
                append_event(order, EVENT_ACTION, actor, text=f"{reason}，重新计算时限。" + "；".join(parts) + "。",
                             data=data)
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
        .where(WorkOrder.state.not_in([OrderState.CLOSED, OrderState.MERGED]))
        .where(WorkOrder.dispatched_at.is_not(None), WorkOrder.dispatched_at < after_last)
        .where(or_(WorkOrder.handle_deadline >= first, WorkOrder.sign_deadline >= first))
        .order_by(WorkOrder.id)
    )
    for order in db.session.scalars(stmt):
        base, extension_days, anchor = _base(order, list(order.events))
        handle_count = None if order.urgent else _count(base.date(), order.handle_deadline)
        urgent_anchor = None
        if order.urgent and extension_days and order.handle_deadline is not None:
            urgent_anchor = _urgent_anchor(order, base, anchor)
            if extend_deadline(urgent_anchor, extension_days) != order.handle_deadline:
                urgent_anchor = None  # not the shape we can recompute: leave it
        signed = order.state != OrderState.DISPATCHED or order.signed_at is not None
        sign_count = None if order.urgent or signed else _count(order.dispatched_at.date(), order.sign_deadline)
        plan.items.append(_Item(order, base, handle_count, sign_count, urgent_anchor, extension_days))
    return plan
