"""The order page's 协办单位 / 下级办理 panel: give a task (请协办, 下派) and move one (sign, answer, release…).

Like the order's own actions: the form is validated, the task's version checked, the service runs and the
view commits once. A refusal re-renders the panel with the message and the user's input (422); someone
moving the task first gives 409. Rights are the transition table's (transitions.why_not_task).
"""
from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from portal.auth.roles import Role
from portal.errors import Conflict, RuleViolation
from portal.extensions import db
from portal.orders import forms as f
from portal.orders import tasks as services
from portal.orders.blueprint import bp
from portal.orders.detail import detail_context, task_panel
from portal.orders.enums import TaskRole
from portal.orders.models import OrderTask, WorkOrder
from portal.orders.transitions import CONFLICT_MESSAGE, ActionForbidden, check_version
from portal.units.models import Unit
from portal.web.access import roles
from portal.web.htmx import redirect_after_post, wants_fragment
from portal.web.scoping import get_scoped_or_404

CENTRE = (Role.ADMIN, Role.CENTRE_STAFF)
UNIT = (Role.UNIT_LEADER, Role.LIAISON)


def _files():
    return [s for s in request.files.getlist("files") if s and s.filename]


# action -> runner(task, actor, text)
MOVES = {
    "sign_task": lambda t, a, text: services.sign_task(t, a),
    "answer_task": lambda t, a, text: services.answer_task(t, a, text, files=_files()),
    "request_release": lambda t, a, text: services.request_release(t, a, text),
    "approve_release": lambda t, a, text: services.decide_release(t, a, True, text),
    "reject_release": lambda t, a, text: services.decide_release(t, a, False, text),
    "accept_task": lambda t, a, text: services.accept_task(t, a, text),
    "send_back_task": lambda t, a, text: services.send_back_task(t, a, text),
    "withdraw_task": lambda t, a, text: services.withdraw_task(t, a, text),
}


def _refused(order_id: int, message: str, status: int, forms: dict | None = None):
    db.session.rollback()
    order = db.session.get(WorkOrder, order_id)
    if wants_fragment():
        return render_template("orders/_tasks.html", order=order,
                               **task_panel(order, current_user, message=message, forms=forms)), status
    return render_template("orders/detail.html", **detail_context(order, current_user, task_message=message,
                                                                  task_forms=forms)), status


@bp.post("/<int:order_id>/tasks/<int:task_id>/<action>")
@roles(*CENTRE, *UNIT)
def task_act(order_id: int, task_id: int, action: str):
    """Move one task of an order the user may see."""
    if action not in MOVES:
        abort(404)
    order = get_scoped_or_404(WorkOrder, order_id, current_user)
    task = db.session.get(OrderTask, task_id)
    if task is None or task.order_id != order.id:
        abort(404)
    form = f.TaskActForm()
    if not form.validate_on_submit():
        message = "；".join(e for errors in form.errors.values() for e in errors) or "请检查填写的内容。"
        return _refused(order_id, message, 422, {task_id: form})
    try:
        try:
            check_version(task, form.version.data)
            MOVES[action](task, current_user, (form.text.data or "").strip())
            db.session.commit()
        except StaleDataError as exc:
            raise Conflict(CONFLICT_MESSAGE) from exc
    except ActionForbidden:
        raise
    except RuleViolation as exc:
        return _refused(order_id, exc.message, exc.status, {task_id: form})
    return redirect_after_post(url_for("orders.detail", order_id=order.id))


@bp.post("/<int:order_id>/tasks/<kind>")
@roles(*CENTRE, *UNIT)
def add_task(order_id: int, kind: str):
    """请协办 (kind "co", the centre) or 下派 (kind "down", the unit holding the order or a task)."""
    if kind not in ("co", "down"):
        abort(404)
    order = get_scoped_or_404(WorkOrder, order_id, current_user)
    form = f.NewTaskForm()
    if not form.validate_on_submit():
        message = "；".join(e for errors in form.errors.values() for e in errors) or "请检查填写的内容。"
        return _refused(order_id, message, 422, {kind: form})
    unit = db.session.get(Unit, form.unit_id.data) if 0 < (form.unit_id.data or 0) < 2**31 else None
    try:
        if kind == "co":
            services.add_co_task(order, current_user, unit, text=form.text.data or "", deadline=form.deadline.data)
        else:
            parent = None
            if form.parent_task_id.data:
                parent = db.session.get(OrderTask, int(form.parent_task_id.data)) \
                    if form.parent_task_id.data.isdigit() and len(form.parent_task_id.data) < 10 else None
                if parent is None or parent.order_id != order.id:
                    raise RuleViolation("找不到要下派的任务。")
            role = TaskRole.CO if form.role.data == "co" else TaskRole.LEAD
            services.pass_down(order, current_user, unit, text=form.text.data or "", deadline=form.deadline.data,
                               role=role, parent_task=parent)
        db.session.commit()
    except ActionForbidden:
        raise
    except RuleViolation as exc:
        return _refused(order_id, exc.message, exc.status, {kind: form})
    return redirect_after_post(url_for("orders.detail", order_id=order.id))
