"""Services for an order's tasks: 协办 parts the centre gives co-units, and parts a unit passes down to its
sub-units (二级派单, any depth). Every change goes through transitions.transition() (the task cells); each
service takes the actor, flushes and never commits. Notifications reach the task unit's users.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from portal.errors import RuleViolation
from portal.extensions import db
from portal.notifications.services import notify, notify_centre
from portal.orders.attachments import save_attachment
from portal.orders.enums import TaskRole
from portal.orders.models import OrderTask, WorkOrder
from portal.orders.privacy import for_unit
from portal.orders.records import Attachment
from portal.orders import services
from portal.orders.services import order_link
from portal.orders.transitions import transition, why_not_task


def order_tasks(order: WorkOrder) -> list[OrderTask]:
    """Every task of the order, current and ended, oldest first (the order page's panel)."""
    stmt = select(OrderTask).where(OrderTask.order_id == order.id).order_by(OrderTask.id)
    return list(db.session.scalars(stmt))


def task_files(order: WorkOrder) -> dict[int, list[Attachment]]:
    """The order's attachments recorded against a task, by task id."""
    stmt = select(Attachment).where(Attachment.order_id == order.id, Attachment.task_id.is_not(None))
    files: dict[int, list[Attachment]] = {}
    for item in db.session.scalars(stmt.order_by(Attachment.id)):
        files.setdefault(item.task_id, []).append(item)
    return files


def current_task_of(order: WorkOrder, unit_id: int | None) -> OrderTask | None:
    """The unit's current task on the order (one at most), or None."""
    if unit_id is None:
        return None
    from portal.orders.enums import CURRENT_TASK_STATES

    stmt = select(OrderTask).where(OrderTask.order_id == order.id, OrderTask.unit_id == unit_id,
                                   OrderTask.state.in_(CURRENT_TASK_STATES))
    return db.session.scalars(stmt).first()


def _tell_unit(task: OrderTask, kind: str, what: str) -> None:
    order = task.order
    notify(task.unit, kind, f"工单 {order.number} {what}：{for_unit(order, 'title')}", order_link(order))


def _tell_assigner(task: OrderTask, kind: str, what: str) -> None:
    order = task.order
    text = f"{task.unit.short_name}对工单 {order.number} {what}"
    if task.assigner_unit is None:
        notify_centre(kind, text, order_link(order))
    else:
        notify(task.assigner_unit, kind, text, order_link(order))


# --- the centre's 协办 parts ---------------------------------------------------------------------------

def add_co_task(order: WorkOrder, actor, unit, *, text: str = "", deadline: datetime | None = None) -> OrderTask:
    """请协办: a co-unit gets its own part with a text and a deadline (default: the setting's working days
    before the lead's handle deadline, never after it)."""
    event = transition(order, "add_co_task", actor, unit=unit, text=text, task_text=text, deadline=deadline)
    task = db.session.get(OrderTask, event.data["task_id"])
    _tell_unit(task, "co_task", f"请贵单位协办（{task.deadline:%m-%d %H:%M}前答复）")
    return task


def dispatch_with_co_units(order: WorkOrder, actor, unit, *, co_units=(), co_text: str = "", designate: bool = False,
                           text: str = "") -> WorkOrder:
    """派单 to the lead unit, then a 协办 part for each co-unit with the default deadline and `co_text`."""
    services.dispatch(order, actor, unit, designate=designate, text=text)
    for co_unit in co_units:
        add_co_task(order, actor, co_unit, text=co_text)
    return order


def sign_task(task: OrderTask, actor) -> OrderTask:
    transition(task.order, "sign_task", actor, task=task)
    return task


def answer_task(task: OrderTask, actor, opinion: str, files=()) -> OrderTask:
    """协办意见 (a co-unit) or the sub-unit's reply up (a part passed down), with attachments."""
    error = why_not_task(task.order, "answer_task", actor, task)
    if error is not None:
        raise error
    transition(task.order, "answer_task", actor, task=task, opinion=opinion, text=opinion)
    for storage in files:
        save_attachment(task.order, storage, actor, task=task)
    what = "提交了协办意见" if task.assigner_unit_id is None else "答复了下派任务，待您采纳"
    _tell_assigner(task, "task_answered", what)
    if task.assigner_unit_id is None and task.order.unit is not None:
        notify(task.order.unit, "task_answered", f"{task.unit.short_name}对工单 {task.order.number} 提交了协办意见",
               order_link(task.order))
    return task


def request_release(task: OrderTask, actor, reason: str) -> OrderTask:
    """A co-unit asks the centre to release it from its part (申请免办)."""
    transition(task.order, "request_release", actor, task=task, reason=reason, text=reason)
    _tell_assigner(task, "review_waiting", f"申请免办协办，待审核：{reason}")
    return task


def decide_release(task: OrderTask, actor, approve: bool, note: str = "") -> OrderTask:
    """The centre approves (已免办) or rejects (back to the co-unit's work) a release request."""
    if not approve and not note.strip():
        raise RuleViolation("驳回免办申请时，请填写理由。")
    transition(task.order, "approve_release" if approve else "reject_release", actor, task=task, text=note)
    _tell_unit(task, "task_decision", "的免办申请中心已同意" if approve else f"的免办申请未获同意（{note}），请继续协办")
    return task


def withdraw_task(task: OrderTask, actor, reason: str = "") -> OrderTask:
    """收回: the centre takes back a 协办 part, or the passing unit takes back a part passed down."""
    transition(task.order, "withdraw_task", actor, task=task, text=reason)
    _tell_unit(task, "task_decision", "的任务已被收回" + (f"：{reason}" if reason else ""))
    return task


# --- parts passed down (二级派单) --------------------------------------------------------------------

def pass_down(order: WorkOrder, actor, unit, *, text: str, deadline: datetime | None,
              role: TaskRole = TaskRole.LEAD, parent_task: OrderTask | None = None) -> OrderTask:
    """下派: the unit holding the order (or holding `parent_task`) gives one of its direct sub-units a part,
    as 主办 or 协办 inside the unit, with a deadline no later than its own."""
    event = transition(order, "pass_down", actor, unit=unit, text=text, task_text=text, deadline=deadline, role=role,
                       parent_task=parent_task)
    task = db.session.get(OrderTask, event.data["task_id"])
    _tell_unit(task, "task_passed", f"由{task.assigner_unit.short_name}下派（{task.role.label}，"
                                    f"{task.deadline:%m-%d %H:%M}前答复）")
    return task


def accept_task(task: OrderTask, actor, note: str = "") -> OrderTask:
    """The passing unit takes the sub-unit's reply (已采纳); it then answers up or replies to the centre."""
    transition(task.order, "accept_task", actor, task=task, text=note)
    _tell_unit(task, "task_decision", "的答复已被上级单位采纳")
    return task


def send_back_task(task: OrderTask, actor, reason: str) -> OrderTask:
    """The passing unit sends the sub-unit's reply back down (办理中 again) with a reason."""
    transition(task.order, "send_back_task", actor, task=task, reason=reason, text=reason)
    _tell_unit(task, "task_decision", f"的答复被上级单位退回重办：{reason}")
    return task


def upload_right(order: WorkOrder, user) -> tuple[bool, OrderTask | None]:
    """May `user` attach files to the order now, and to which task: the centre always; the lead unit while
    it holds the order in a working state; a co-unit or sub-unit while its own task is being worked (the
    file is recorded against that task)."""
    from portal.auth.roles import Role
    from portal.orders.enums import ACTIVE_STATES, TASK_ORDER_STATES, TaskState

    if not user.is_unit_user:
        return user.role != Role.OPERATOR, None
    if user.unit_id == order.unit_id:
        return order.state in ACTIVE_STATES, None
    task = current_task_of(order, user.unit_id)
    working = task is not None and task.state in (TaskState.DISPATCHED, TaskState.IN_PROGRESS)
    return working and order.state in TASK_ORDER_STATES, task
