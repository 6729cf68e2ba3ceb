"""What the order page shows: its records, the clocks, and one action panel per allowed action group."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.clock import now
from portal.extensions import db
from portal.orders import forms as f
from portal.orders.enums import ACTIVE_STATES, OrderState
from portal.orders.models import Callback
from portal.orders.notices import SupervisionNotice
from portal.orders.tasks import order_tasks, task_files, upload_right
from portal.orders.records import Attachment, ExtensionRequest, Reply, ReturnRequest, Supervision
from portal.orders.transitions import (
    ACTION_LABELS, TASK_ORDER_STATES, allowed_actions, allowed_task_actions, pending_extension, pending_return,
    why_not_task,
)

# Events written outside the transition table: the merged order's note, audits, attachments.
EVENT_LABELS = {
    **ACTION_LABELS,
    "merged_from": "被并单",
    "reveal_mobile": "查看电话",
    "attach": "上传附件",
    # Appeals (portal/appeals) write their steps to the order's record.
    "appeal_file": "提出申诉",
    "appeal_leader_approve": "负责人同意申诉",
    "appeal_leader_reject": "负责人不同意申诉",
    "appeal_uphold": "申诉成立",
    "appeal_upheld_lateness": "申诉成立（逾期不再计入）",
    "appeal_reject": "申诉不成立",
}


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    form: type
    buttons: tuple[tuple[str, str, str], ...]  # (action, button label, bootstrap colour)
    multipart: bool = False


PANELS = (
    Panel("acknowledge", "督办确认", f.VersionForm, (("acknowledge", "已阅督办，立即办理", "warning"),)),
    Panel("sign", "签收", f.NoteForm, (("sign", "签收", "primary"),)),
    Panel("reply", "办结回复", f.ReplyForm, (("reply", "提交办结回复", "primary"),
                                           ("submit_reply_for_signoff", "提交单位负责人签发", "primary")),
          multipart=True),
    Panel("leader_reply", "回复签发（单位负责人）", f.ReviewForm,
          (("leader_approve_reply", "签发，报中心审核", "success"), ("leader_reject_reply", "退回修改", "danger"))),
    Panel("request_extension", "申请延期", f.ExtensionForm, (("request_extension", "提交延期申请", "secondary"),)),
    Panel("request_return", "申请退单", f.ReturnForm, (("request_return", "提交退单申请", "outline-danger"),)),
    Panel("leader_return", "退单审批（单位负责人）", f.ReviewForm,
          (("leader_approve_return", "同意，报中心审核", "success"), ("leader_reject_return", "不同意", "danger"))),
    Panel("dispatch", "派单", f.DispatchForm, (("dispatch", "派单", "primary"),)),
    Panel("merge", "并单", f.MergeForm, (("merge", "并入原工单", "outline-secondary"),)),
    Panel("return_review", "退单审核", f.ReviewForm,
          (("approve_return", "同意退单", "success"), ("reject_return", "驳回退单", "danger"))),
    Panel("extension_review", "延期审核", f.ReviewForm,
          (("approve_extension", "同意延期", "success"), ("reject_extension", "驳回延期", "danger"))),
    Panel("reply_review", "回复审核", f.ReplyReviewForm,
          (("accept_reply", "审核通过，办结", "success"), ("reject_reply", "退回重办", "danger"))),
    Panel("supervise", "督办", f.SuperviseForm, (("supervise", "发送督办", "warning"),)),
    Panel("issue_notice", "督办单", f.SuperviseForm, (("issue_notice", "下发督办单", "danger"),)),
    Panel("list_in_circular", "列入通报", f.NoteForm, (("list_in_circular", "列入通报", "outline-danger"),)),
    Panel("callback", "回访", f.CallbackForm, (("callback", "保存回访", "primary"),)),
    Panel("reopen", "重办", f.ReopenForm, (("reopen", "退回承办单位重办", "danger"),)),
)
PANEL_OF = {action: panel for panel in PANELS for action, _l, _c in panel.buttons}


def clock(deadline, at=None):
    """time_left() of the calendar for a deadline, or None."""
    if deadline is None:
        return None
    from portal.orders.deadlines import time_left

    return time_left(deadline, at or now())


def handle_clock(order, at=None):
    """Time left on the handle deadline while the unit holds the order (None otherwise)."""
    return clock(order.handle_deadline, at) if order.state in ACTIVE_STATES else None


def sign_clock(order, at=None):
    """Time left to sign, while 待签收."""
    return clock(order.sign_deadline, at) if order.state == OrderState.DISPATCHED and not order.signed_at else None


def extension_preview(order):
    """(working days, current deadline, deadline if approved) of the pending extension request, or None."""
    request = pending_extension(order)
    if request is None or order.handle_deadline is None:
        return None
    from portal.calendar.deadlines import extend_deadline

    return request.working_days, order.handle_deadline, extend_deadline(order.handle_deadline, request.working_days)


def namespace_ids(form, panel: Panel):
    """Give each panel's fields their own ids: several panels on one page share field names."""
    for field in form:
        field.id = f"{panel.key}-{field.name}"
        field.label.field_id = field.id
    return form


def new_panel_form(panel: Panel, order):
    form = panel.form(formdata=None)
    form.version.data = order.version
    if panel.key == "reply":
        form.contacted_at.data = now().replace(second=0)
    return form


def panels_for(order, user, overrides: dict | None = None):
    actions = allowed_actions(order, user)
    overrides = overrides or {}
    return [
        (panel, namespace_ids(overrides.get(panel.key) or new_panel_form(panel, order), panel),
         [b for b in panel.buttons if b[0] in actions])
        for panel in PANELS if any(b[0] in actions for b in panel.buttons)
    ]


def _rows(model, order):
    return list(db.session.scalars(select(model).where(model.order_id == order.id).order_by(model.id)))


def caller_view(order, user) -> str:
    """'hidden' (confidential, unit user), 'masked' (unit user) or 'full' (centre and operators)."""
    if user.is_unit_user:
        return "hidden" if order.confidential else "masked"
    return "full"


# The buttons of a task row: (action, label, bootstrap colour), in this order.
TASK_BUTTONS = (
    ("sign_task", "签收任务", "primary"),
    ("answer_task", "提交意见 / 答复", "primary"),
    ("accept_task", "采纳", "success"),
    ("send_back_task", "退回重办", "danger"),
    ("approve_release", "同意免办", "success"),
    ("reject_release", "驳回免办", "danger"),
    ("request_release", "申请免办", "outline-danger"),
    ("withdraw_task", "收回任务", "outline-secondary"),
)


def visible_tasks(order, user) -> list:
    """The tasks the user sees on the order page: all of them for the centre and the lead unit; for a
    co-unit or a sub-unit, those given to or by its own sub-tree (never its siblings' parts)."""
    from portal.web.scoping import visible_unit_ids

    every = order_tasks(order)
    if not user.is_unit_user:
        return every
    mine = set(visible_unit_ids(user))
    if order.unit_id in mine:
        return every
    return [t for t in every if t.unit_id in mine or t.assigner_unit_id in mine]


def _task_form(task, forms):
    form = forms.get(task.id) or f.TaskActForm(formdata=None)
    form.version.data = task.version
    for field in form:
        field.id = field.label.field_id = f"task-{task.id}-{field.name}"
    return form


def _new_form(kind, forms):
    form = forms.get(kind) or f.NewTaskForm(formdata=None)
    for field in form:
        field.id = field.label.field_id = f"new-{kind}-{field.name}"
    return form


def task_panel(order, user, message: str | None = None, forms: dict | None = None) -> dict:
    """What the 协办单位 / 下级办理 panel shows: each visible task with its allowed moves, and the forms to
    ask a co-unit (the centre) or to pass down (the unit holding the order or a task)."""
    from portal.orders.enums import TaskState

    forms = forms or {}
    shown = visible_tasks(order, user)
    files = task_files(order) if shown else {}
    rows = []
    for task in shown:
        actions = allowed_task_actions(order, task, user) if order.state in TASK_ORDER_STATES else set()
        running = task.state in (TaskState.DISPATCHED, TaskState.IN_PROGRESS, TaskState.RELEASE_REQUESTED)
        rows.append({"task": task, "buttons": [b for b in TASK_BUTTONS if b[0] in actions],
                     "form": _task_form(task, forms), "files": files.get(task.id, []),
                     "clock": clock(task.deadline) if running and order.state in TASK_ORDER_STATES else None})
    taken = {t.unit_id for t in shown if t.state in (TaskState.DISPATCHED, TaskState.IN_PROGRESS,
                                                     TaskState.ANSWERED, TaskState.RELEASE_REQUESTED)}
    co_units = []
    if why_not_task(order, "add_co_task", user) is None:
        from portal.orders.queries import search_units

        co_units = [u for u in search_units("", limit=1000)
                    if u.parent_id is None and u.id != order.unit_id and u.id not in taken]
    passing = []
    if user.is_unit_user:
        if why_not_task(order, "pass_down", user) is None and order.unit is not None:
            passing.append((None, order.unit))
        for task in shown:
            if task.unit_id == user.unit_id and why_not_task(order, "pass_down", user, parent_task=task) is None:
                passing.append((task, task.unit))
    down = [(parent, [u for u in unit.children if u.active and u.id not in taken]) for parent, unit in passing]
    return {"task_rows": rows, "co_units": co_units, "pass_down": [d for d in down if d[1]],
            "new_co_form": _new_form("co", forms), "new_down_form": _new_form("down", forms),
            "task_message": message}


def detail_context(order, user, overrides: dict | None = None, message: str | None = None,
                   task_message: str | None = None, task_forms: dict | None = None) -> dict:
    return {
        **task_panel(order, user, task_message, task_forms),
        "order": order,
        "panels": panels_for(order, user, overrides),
        "events": order.events,
        "event_labels": EVENT_LABELS,
        "supervisions": _rows(Supervision, order),
        "attachments": _rows(Attachment, order),
        "replies": _rows(Reply, order),
        "returns": _rows(ReturnRequest, order),
        "extensions": _rows(ExtensionRequest, order),
        "callbacks": _rows(Callback, order),
        "notices": _rows(SupervisionNotice, order),
        "pending_return": pending_return(order),
        "pending_extension": pending_extension(order),
        "caller_view": caller_view(order, user),
        "can_upload": upload_right(order, user)[0],
        "sign_clock": sign_clock(order),
        "handle_clock": handle_clock(order),
        "message": message,
    }
