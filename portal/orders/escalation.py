"""Escalated orders for the circular's data: 问题工单 flagged, and orders 列入通报 after a 督办单, within a period.

An order is named in the circular of the period in which it was flagged or listed (from the period's first
day up to the circular's as-of time T), whatever month it was accepted in: the circular reports what the
centre escalated that month. Flags and listings are never undone, so as of T they are exact.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.orders.models import OrderEvent, WorkOrder
from portal.orders.privacy import public_text


def _ref(order: WorkOrder, at: datetime, reason: str) -> dict:
    unit = order.unit or order.last_unit
    return {"order_id": order.id, "number": order.number, "title": public_text(order, order.title),
            "unit_id": unit.id if unit else None, "unit": unit.short_name if unit else "",
            "at": at.strftime("%Y-%m-%d %H:%M:%S"), "reason": reason}


def problem_orders(start_at: datetime, as_of: datetime) -> list[dict]:
    """问题工单 flagged in [start_at, as_of], in the order they were flagged, with why."""
    stmt = (select(WorkOrder).where(WorkOrder.problem_at >= start_at, WorkOrder.problem_at <= as_of)
            .options(selectinload(WorkOrder.unit), selectinload(WorkOrder.last_unit))
            .order_by(WorkOrder.problem_at, WorkOrder.id))
    orders = list(db.session.scalars(stmt))
    reasons = _event_reasons([o.id for o in orders])
    return [_ref(o, o.problem_at, reasons.get(o.id, "")) for o in orders]


def _event_reasons(order_ids: list[int]) -> dict[int, str]:
    """The reason the flagging event recorded (重办3次, 先后派至3个单位)."""
    if not order_ids:
        return {}
    stmt = select(OrderEvent.order_id, OrderEvent.data).where(OrderEvent.order_id.in_(order_ids))
    return {oid: data["problem"] for oid, data in db.session.execute(stmt) if data and data.get("problem")}


def listed_orders(start_at: datetime, as_of: datetime) -> list[dict]:
    """Orders 列入通报 in [start_at, as_of] (the last step of graded chasing), with the centre's words."""
    stmt = (select(OrderEvent, WorkOrder).join(WorkOrder, WorkOrder.id == OrderEvent.order_id)
            .where(OrderEvent.action == "list_in_circular", OrderEvent.at >= start_at, OrderEvent.at <= as_of)
            .order_by(OrderEvent.at, OrderEvent.id))
    return [_ref(order, event.at, public_text(order, event.text)) for event, order in db.session.execute(stmt)]
