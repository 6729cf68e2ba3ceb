"""Deadline reminders: notify a unit once for each order whose handle deadline is within 24 hours."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from portal.clock import now
from portal.extensions import db
from portal.notifications.services import notify
from portal.orders.models import WorkOrder
from portal.orders.queries import due_soon_condition
from portal.orders.services import order_link


def reminder_key(order: WorkOrder) -> str:
    # The deadline is part of the key: after an extension or a reopen the new deadline is reminded again.
    return f"due_soon:{order.id}:{order.handle_deadline:%Y%m%d%H%M%S}"


def send_deadline_reminders(at: datetime | None = None) -> int:
    """Send the due-soon reminders not sent yet; return how many notifications were created."""
    at = at or now()
    orders = db.session.scalars(select(WorkOrder).where(due_soon_condition(at)).order_by(WorkOrder.handle_deadline))
    sent = 0
    for order in orders:
        if order.unit is None:
            continue
        text = f"工单 {order.number} 将于 {order.handle_deadline:%m-%d %H:%M} 到期，请抓紧办理：{order.title}"
        sent += len(notify(order.unit, "due_soon", text, order_link(order), key=reminder_key(order)))
    return sent
