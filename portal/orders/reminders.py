"""Deadline reminders, safe to send from cron every few minutes: each unit user is notified once per
order and deadline (the notification key holds both), for

- the handle deadline within 24 hours (即将到期), while the unit holds the order;
- the sign deadline within SIGN_WINDOW, or passed, while the order waits to be signed (待签收);
- a task's deadline within 24 hours, or passed, while the task's unit still has to sign or answer it
  (协办 parts and parts passed down: the task unit's users are reminded, not the lead's).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from portal.clock import now
from portal.extensions import db
from portal.notifications.services import notify
from portal.orders.enums import TASK_ORDER_STATES, OrderState, TaskState
from portal.orders.models import OrderTask, WorkOrder
from portal.orders.privacy import for_unit
from portal.orders.conditions import DUE_SOON, active_due_soon, is_overdue
from portal.orders.services import order_link

SIGN_WINDOW = timedelta(hours=2)


def reminder_key(order: WorkOrder) -> str:
    # The deadline is part of the key: after an extension or a reopen the new deadline is reminded again.
    return f"due_soon:{order.id}:{order.handle_deadline:%Y%m%d%H%M%S}"


def sign_reminder_key(order: WorkOrder) -> str:
    # A re-dispatch sets a new sign deadline, hence a new key.
    return f"sign_due:{order.id}:{order.sign_deadline:%Y%m%d%H%M%S}"


def _remind(stmt, kind: str, text, key) -> int:
    sent = 0
    for order in db.session.scalars(stmt):
        if order.unit is not None:
            sent += len(notify(order.unit, kind, text(order), order_link(order), key=key(order)))
    return sent


def send_handle_reminders(at: datetime) -> int:
    stmt = select(WorkOrder).where(active_due_soon(at)).order_by(WorkOrder.handle_deadline)
    return _remind(stmt, "due_soon", lambda o: (
        f"工单 {o.number} 将于 {o.handle_deadline:%m-%d %H:%M} 到期，请抓紧办理：{for_unit(o, 'title')}"), reminder_key)


def send_sign_reminders(at: datetime) -> int:
    stmt = (select(WorkOrder)
            .where(WorkOrder.state == OrderState.DISPATCHED, WorkOrder.signed_at.is_(None),
                   WorkOrder.sign_deadline <= at + SIGN_WINDOW)
            .order_by(WorkOrder.sign_deadline))

    def text(o: WorkOrder) -> str:
        when = "已超过签收时限" if is_overdue(o.sign_deadline, at) else "签收时限即将到期"
        return f"工单 {o.number} {when}（{o.sign_deadline:%m-%d %H:%M}），请尽快签收：{for_unit(o, 'title')}"

    return _remind(stmt, "sign_due", text, sign_reminder_key)


def task_reminder_key(task: OrderTask) -> str:
    return f"task_due:{task.id}:{task.deadline:%Y%m%d%H%M%S}"


def send_task_reminders(at: datetime) -> int:
    """Tasks still to sign or answer whose deadline is within 24 hours or passed, on orders still worked."""
    stmt = (select(OrderTask).join(WorkOrder, WorkOrder.id == OrderTask.order_id)
            .where(OrderTask.state.in_((TaskState.DISPATCHED, TaskState.IN_PROGRESS)),
                   OrderTask.deadline < at + DUE_SOON, WorkOrder.state.in_(TASK_ORDER_STATES))
            .order_by(OrderTask.deadline, OrderTask.id))
    sent = 0
    for task in db.session.scalars(stmt):
        order = task.order
        when = "已超过任务时限" if is_overdue(task.deadline, at) else "任务时限即将到期"
        text = (f"工单 {order.number} 的{task.role.label}任务{when}（{task.deadline:%m-%d %H:%M}），"
                f"请尽快{'签收' if task.state == TaskState.DISPATCHED else '答复'}：{for_unit(order, 'title')}")
        sent += len(notify(task.unit, "task_due", text, order_link(order), key=task_reminder_key(task)))
    return sent


def send_deadline_reminders(at: datetime | None = None) -> int:
    """Send the handle, sign and task reminders not sent yet; return how many notifications were created."""
    at = at or now()
    return send_handle_reminders(at) + send_sign_reminders(at) + send_task_reminders(at)
