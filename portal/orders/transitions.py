"""The order lifecycle (DOMAIN.md §3) as data, and the one function that moves an order through it.

CELLS list every (state, action) the lifecycle allows, each with the state it leads to and its EFFECT: the
lifecycle columns it sets (unit, deadlines, signing, completion, counters, 指定, 并单). TABLE and EFFECTS are
read from them. ACTION_ROLES says who may perform an action (None stands for the system: an import or a
recompute run from the command line); GUARDS add the rules that depend on more than the state (a pending
request's stage, the 2-working-day return window, the extension limit, 指定).

transition() checks the role, the cell and the guard, computes the cell's effect (which may refuse bad
parameters), applies it at the given time, appends the 流转记录 event and flushes. Nothing else assigns
`state` or a lifecycle column (tests/orders/test_one_path.py reads the code to make sure).
allowed_actions() answers templates from the same data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from portal.auth.roles import CENTRE_ROLES, Role
from portal.calendar.deadlines import end_of_working_day_after, extend_deadline
from portal.clock import now
from portal.errors import Conflict, RuleViolation
from portal.extensions import db
from portal.orders.deadlines import handle_deadline, sign_deadline
from portal.orders.enums import OrderState as S
from portal.orders.enums import CURRENT_TASK_STATES, TASK_ORDER_STATES, RequestStatus, ReturnStage, TaskRole
from portal.orders.enums import TaskState as T
from portal.orders.events import append_event

CONFLICT_MESSAGE = "该工单已被他人处理，请刷新后查看最新状态。"
MAX_EXTENSIONS = 2
MAX_EXTENSION_DAYS = 10
RETURN_WINDOW_WORKING_DAYS = 2
RETURNS_BEFORE_DESIGNATION = 3

# The state the order was in before a return request: 办理中 once signed, else 待签收.
RESUME = "resume"

SYSTEM = None  # the actor of an import or a recompute run from the command line
CENTRE = frozenset(CENTRE_ROLES)
UNIT = frozenset({Role.UNIT_LEADER, Role.LIAISON})
LEADER = frozenset({Role.UNIT_LEADER})
CREATORS = CENTRE | {Role.OPERATOR}

# Every column the lifecycle owns. Only transition() assigns them (and `state`).
LIFECYCLE_COLUMNS = (
    "unit_id", "last_unit_id", "handler_id", "dispatched_at", "sign_deadline", "signed_at", "handle_started_at",
    "handle_deadline", "completed_at", "closed_at", "return_count", "extension_count", "reopen_count",
    "designated", "merged_into_id", "problem_at",
)

ACTION_LABELS = {
    "create": "登记工单",
    "import": "导入",
    "dispatch": "派单",
    "sign": "签收",
    "reply": "办结回复",
    "submit_reply_for_signoff": "提交办结回复（待负责人签发）",
    "leader_approve_reply": "负责人签发回复",
    "leader_reject_reply": "负责人退回回复",
    "request_return": "申请退单",
    "leader_approve_return": "负责人同意退单",
    "leader_reject_return": "负责人不同意退单",
    "approve_return": "同意退单",
    "reject_return": "驳回退单",
    "request_extension": "申请延期",
    "approve_extension": "同意延期",
    "reject_extension": "驳回延期",
    "accept_reply": "审核通过",
    "reject_reply": "退回重办",
    "supervise": "督办",
    "acknowledge": "确认督办",
    "issue_notice": "下发督办单",
    "list_in_circular": "列入通报",
    "callback": "回访",
    "merge": "并单",
    "reopen": "重办",
    "close_imported": "导入办结",
    "handover": "移交经办人",
    "deadline_recomputed": "办理时限重算",
    # an order's tasks (协办 parts and parts passed down); see the task cells below
    "add_co_task": "增加协办单位",
    "pass_down": "下派",
    "sign_task": "任务签收",
    "answer_task": "提交意见",
    "request_release": "申请免办",
    "approve_release": "同意免办",
    "reject_release": "驳回免办",
    "accept_task": "采纳下级答复",
    "send_back_task": "退回下级重办",
    "withdraw_task": "收回任务",
}

ACTION_ROLES: dict[str, frozenset] = {
    "create": CREATORS,
    "import": CENTRE | {SYSTEM},
    "dispatch": CENTRE | {SYSTEM},
    "merge": CENTRE,
    "sign": UNIT,
    "reply": UNIT,
    "submit_reply_for_signoff": frozenset({Role.LIAISON}),  # a leader's own reply needs no sign-off
    "leader_approve_reply": LEADER,
    "leader_reject_reply": LEADER,
    "request_return": UNIT,
    "leader_approve_return": LEADER,
    "leader_reject_return": LEADER,
    "approve_return": CENTRE,
    "reject_return": CENTRE,
    "request_extension": UNIT,
    "approve_extension": CENTRE,
    "reject_extension": CENTRE,
    "accept_reply": CENTRE,
    "reject_reply": CENTRE,
    "supervise": CENTRE,
    "acknowledge": UNIT,
    "issue_notice": CENTRE,
    "list_in_circular": CENTRE,
    "callback": CENTRE,
    "reopen": CENTRE,
    "close_imported": CENTRE | {SYSTEM},
    "handover": LEADER,
    "deadline_recomputed": frozenset({Role.ADMIN, SYSTEM}),
    "add_co_task": CENTRE,
    "pass_down": UNIT,
    "sign_task": UNIT,
    "answer_task": UNIT,
    "request_release": UNIT,
    "approve_release": CENTRE,
    "reject_release": CENTRE,
    "accept_task": UNIT,
    "send_back_task": UNIT,
    "withdraw_task": CENTRE | UNIT,
}

# Actions other features perform through their own services (the import, the roster, the calendar):
# the order page never offers them.
INTERNAL_ACTIONS = frozenset({"import", "close_imported", "handover", "deadline_recomputed"})


# --- effects: what each cell sets besides the state, computed before anything is applied ---------------

@dataclass(frozen=True)
class Step:
    """What an effect may read: the order as it is, the actor, the time of the action and its parameters."""

    order: Any
    actor: Any
    at: datetime
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Effect:
    """Columns to set, facts for the event's data, and what the event's text starts with."""

    set: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    label: str = ""
    # The order's current tasks this action ends (已收回): a return approved, a close.
    end_tasks: tuple = ()


def no_effect(step: Step) -> Effect:
    return Effect()


def _param(step: Step, name: str, message: str):
    value = step.params.get(name)
    if value is None:
        raise RuleViolation(message)
    return value


def _register(step: Step) -> Effect:
    """A new order (登记 or 导入): 待派单, held by nobody, nothing counted yet."""
    return Effect(set=dict(return_count=0, extension_count=0, reopen_count=0, designated=False))


def _dispatch(step: Step) -> Effect:
    """派单 (also a re-dispatch): new sign and handle clocks from now, 指定 after 3 returns. An import
    (`imported=True`) may give the handle deadline (its 办理时限) and name a unit stopped since."""
    order, at = step.order, step.at
    unit = step.params.get("unit")
    if unit is None or not (unit.active or step.params.get("imported")):
        raise RuleViolation("请选择一个有效的承办单位。")
    if unit.parent_id is not None:  # the centre's orders and figures are first-level units' (decisions.md)
        raise RuleViolation(f"“{unit.short_name}”是下级单位，中心只能派单给一级承办单位，由其向下级单位下派。")
    designated = bool(step.params.get("designate")) or order.return_count >= RETURNS_BEFORE_DESIGNATION
    deadline = step.params.get("handle_deadline") or handle_deadline(at, order.kind, order.urgent)
    return Effect(
        set=dict(unit_id=unit.id, last_unit_id=unit.id, dispatched_at=at, sign_deadline=sign_deadline(at, order.urgent),
                 handle_started_at=at, handle_deadline=deadline, signed_at=None, handler_id=None,
                 designated=designated, extension_count=0),
        data={"unit_id": unit.id, "unit": unit.short_name, "designated": designated},
        label=f"指定{unit.short_name}办理" if designated else f"派至{unit.short_name}",
    )


def _sign(step: Step) -> Effect:
    handler = step.params.get("handler", step.actor)
    return Effect(set=dict(signed_at=step.at, handler_id=getattr(handler, "id", None)))


def _approve_return(step: Step) -> Effect:
    """The order goes back to 待派单: unit and handler cleared; last_unit_id and the old clocks stay until a
    re-dispatch starts new ones. Every current task (协办 and passed down) is withdrawn with it: the centre
    names the co-units again when it re-dispatches."""
    ended = tuple(current_tasks(step.order))
    return Effect(set=dict(unit_id=None, handler_id=None, return_count=step.order.return_count + 1),
                  data=_ended_data(ended), end_tasks=ended)


def _approve_extension(step: Step) -> Effect:
    order = step.order
    days = _param(step, "working_days", "没有待审核的延期申请。")
    new = extend_deadline(order.handle_deadline, days)
    return Effect(set=dict(handle_deadline=new, extension_count=order.extension_count + 1),
                  data={"working_days": days, "from": order.handle_deadline.isoformat(), "to": new.isoformat()})


def _accept_reply(step: Step) -> Effect:
    """已办结: completed when the accepted reply was submitted, closed now."""
    completed = _param(step, "completed_at", "没有待审核的回复。")
    # Answered tasks stay 已答复 (their opinion is part of the record); the rest, open only when staff
    # overrode the wait or the lead replied over its sub-units, are withdrawn.
    ended = tuple(t for t in current_tasks(step.order) if t.state != T.ANSWERED)
    data = _ended_data(ended)
    if step.params.get("override"):
        data["override"] = step.params["override"]
    return Effect(set=dict(completed_at=completed, closed_at=step.at), data=data, end_tasks=ended)


def _restart_clock(step: Step, **more) -> Effect:
    """A rejected reply or a reopen: 办理中 with a new handle deadline from now."""
    order = step.order
    deadline = handle_deadline(step.at, order.kind, order.urgent)
    return Effect(set=dict(handle_started_at=step.at, handle_deadline=deadline, reopen_count=order.reopen_count + 1,
                           **more),
                  data={"handle_deadline": deadline.isoformat()})


def problem_reason(order, changes: dict) -> str | None:
    """Why the order becomes a 问题工单 with these changes (reopened or passed through too many units; the
    thresholds are settings), or None; an order is flagged once."""
    if order.problem_at is not None:
        return None
    from portal.orders.limits import current_limits

    limits = current_limits()
    reopens = changes.get("reopen_count", order.reopen_count) or 0
    if reopens >= limits.problem_reopens:
        return f"重办{reopens}次"
    units = {fact.unit_id for fact in order.facts if fact.unit_id is not None}
    if changes.get("unit_id") is not None:
        units.add(changes["unit_id"])
    if len(units) >= limits.problem_units:
        return f"先后派至{len(units)}个单位"
    return None


def escalating(effect: Callable[[Step], Effect]) -> Callable[[Step], Effect]:
    """The effect, plus 问题工单 (problem_at, the reason in the event) when it crosses a threshold."""
    def escalated(step: Step) -> Effect:
        out = effect(step)
        reason = problem_reason(step.order, out.set)
        if reason is None:
            return out
        label = "。".join(part for part in (out.label, f"列为问题工单（{reason}）") if part)
        return Effect(set={**out.set, "problem_at": step.at}, data={**out.data, "problem": reason}, label=label)
    escalated.__doc__ = effect.__doc__
    return escalated


def _reopen(step: Step) -> Effect:
    order = step.order
    return _restart_clock(step, unit_id=order.last_unit_id or order.unit_id, completed_at=None, closed_at=None)


def _merge(step: Step) -> Effect:
    order, target = step.order, step.params.get("into")
    if target is None or target.id == order.id:
        raise RuleViolation("请填写要并入的原工单编号。")
    if target.state == S.MERGED:
        raise RuleViolation(f"工单 {target.number} 本身已并单，请并入它所并入的工单。")
    if target.state == S.CLOSED:
        raise RuleViolation(f"原工单 {target.number} 已办结，不能并入：诉求未解决的，请对原工单重办，或将本工单派单办理。")
    if (target.accepted_at, target.id) > (order.accepted_at, order.id or 0):
        raise RuleViolation("只能并入更早受理的工单。")
    return Effect(set=dict(merged_into_id=target.id), data={"into": target.number, "into_id": target.id})


def _close_imported(step: Step) -> Effect:
    """An imported row with 办结时间: completed and closed then (the file has no reply review)."""
    return Effect(set=dict(completed_at=step.at, closed_at=step.at))


def _handover(step: Step) -> Effect:
    to = _param(step, "to_user", "请选择接手的联络员。")
    if to.unit_id != step.order.unit_id or to.role != Role.LIAISON or not to.active:
        raise RuleViolation("接手人必须是本单位在岗的联络员。")
    return Effect(set=dict(handler_id=to.id), data={"from": step.order.handler_id, "to": to.id})


def _recompute(step: Step) -> Effect:
    """New deadlines laid out on a changed working-day calendar (orders.recompute decides them)."""
    order, changes, data = step.order, {}, {}
    for column in ("handle_deadline", "sign_deadline"):
        if column in step.params and step.params[column] != getattr(order, column):
            changes[column] = step.params[column]
            data[column] = {"from": _fmt(getattr(order, column)), "to": _fmt(step.params[column])}
    return Effect(set=changes, data=data)


def _fmt(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}" if value else "无"


@dataclass(frozen=True)
class Cell:
    state: S | None
    action: str
    to: S | str
    effect: Callable[[Step], Effect] = no_effect


_WORKING = (S.DISPATCHED, S.IN_PROGRESS, S.RETURN_REQUESTED, S.EXTENSION_REQUESTED)
_OPEN = (S.PENDING, *_WORKING, S.REPLIED)

CELLS: tuple[Cell, ...] = (
    Cell(None, "create", S.PENDING, _register),
    Cell(None, "import", S.PENDING, _register),
    Cell(S.PENDING, "dispatch", S.DISPATCHED, escalating(_dispatch)),
    Cell(S.PENDING, "merge", S.MERGED, _merge),
    Cell(S.DISPATCHED, "sign", S.IN_PROGRESS, _sign),
    Cell(S.DISPATCHED, "close_imported", S.CLOSED, _close_imported),
    Cell(S.DISPATCHED, "request_return", S.RETURN_REQUESTED),
    Cell(S.IN_PROGRESS, "request_return", S.RETURN_REQUESTED),
    Cell(S.RETURN_REQUESTED, "leader_approve_return", S.RETURN_REQUESTED),
    Cell(S.RETURN_REQUESTED, "leader_reject_return", RESUME),
    Cell(S.RETURN_REQUESTED, "approve_return", S.PENDING, _approve_return),
    Cell(S.RETURN_REQUESTED, "reject_return", RESUME),
    Cell(S.IN_PROGRESS, "request_extension", S.EXTENSION_REQUESTED),
    Cell(S.EXTENSION_REQUESTED, "approve_extension", S.IN_PROGRESS, _approve_extension),
    Cell(S.EXTENSION_REQUESTED, "reject_extension", S.IN_PROGRESS),
    Cell(S.IN_PROGRESS, "reply", S.REPLIED),
    Cell(S.EXTENSION_REQUESTED, "reply", S.REPLIED),  # the order keeps working while an extension is reviewed
    Cell(S.REPLIED, "accept_reply", S.CLOSED, _accept_reply),
    Cell(S.REPLIED, "reject_reply", S.IN_PROGRESS, escalating(_restart_clock)),
    Cell(S.CLOSED, "callback", S.CLOSED),
    Cell(S.CLOSED, "reopen", S.IN_PROGRESS, escalating(_reopen)),
    # 回复签发: a liaison's reply waits for the unit leader in the order's state, then reaches the centre.
    *(Cell(s, "submit_reply_for_signoff", s) for s in (S.IN_PROGRESS, S.EXTENSION_REQUESTED)),
    *(Cell(s, "leader_approve_reply", S.REPLIED) for s in (S.IN_PROGRESS, S.EXTENSION_REQUESTED)),
    *(Cell(s, "leader_reject_reply", s) for s in (S.IN_PROGRESS, S.EXTENSION_REQUESTED)),
    # Graded chasing: 督办 (催办) → 督办单 → 列入通报.
    *(Cell(s, "issue_notice", s) for s in _WORKING),
    *(Cell(s, "list_in_circular", s) for s in _WORKING),
    *(Cell(s, "supervise", s) for s in _WORKING),
    *(Cell(s, "acknowledge", s) for s in (*_WORKING, S.REPLIED, S.CLOSED)),
    *(Cell(s, "handover", s, _handover) for s in (*_WORKING, S.REPLIED)),
    *(Cell(s, "deadline_recomputed", s, _recompute) for s in _OPEN),
)
TABLE: dict[tuple[S | None, str], S | str] = {(c.state, c.action): c.to for c in CELLS}
EFFECTS: dict[tuple[S | None, str], Callable[[Step], Effect]] = {(c.state, c.action): c.effect for c in CELLS}


# --- guards: rules beyond the state; each returns None when the action may go ahead, else why not ---

def latest_pending(model, order):
    """The newest PENDING request of `model` (ReturnRequest, ExtensionRequest, Reply) on the order, or None."""
    if order.id is None:
        return None
    stmt = select(model).where(model.order_id == order.id, model.status == RequestStatus.PENDING)
    return db.session.scalars(stmt.order_by(model.id.desc())).first()


def pending_return(order):
    from portal.orders.records import ReturnRequest

    return latest_pending(ReturnRequest, order)


def pending_extension(order):
    from portal.orders.records import ExtensionRequest

    return latest_pending(ExtensionRequest, order)


def open_supervisions(order) -> list:
    from portal.orders.records import Supervision

    if order.id is None:
        return []
    stmt = select(Supervision).where(Supervision.order_id == order.id, Supervision.acknowledged_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Supervision.id)))


def return_window_end(order):
    """The end of the 2 working days after dispatch in which a unit may ask to return an order: 23:59:59 of
    the 2nd working day strictly after the dispatch date, like every "N working days after" in DOMAIN §3."""
    if order.dispatched_at is None:
        return None
    return end_of_working_day_after(order.dispatched_at.date(), RETURN_WINDOW_WORKING_DAYS)


def _guard_request_return(order, actor, at):
    if order.designated:
        return "该工单为中心指定办理，不能退单。"
    end = return_window_end(order)
    if end is not None and at > end:
        return "已超过派单后2个工作日，不能申请退单。"
    return None


def _guard_stage(stage):
    def guard(order, actor, at):
        request = pending_return(order)
        if request is None or request.stage != stage:
            return "该退单申请当前不由您审批。" if stage == ReturnStage.LEADER else "该退单申请尚未经单位负责人同意。"
        return None
    return guard


def _guard_request_extension(order, actor, at):
    if order.extension_count >= MAX_EXTENSIONS:
        return f"每次派单最多延期{MAX_EXTENSIONS}次。"
    if order.handle_deadline is not None and at >= order.handle_deadline:
        return "已超过办理时限，不能再申请延期。"
    return None


def _guard_acknowledge(order, actor, at):
    return None if open_supervisions(order) else "没有待确认的督办。"


MAJOR_KINDS = ("complaint", "report")


def is_major(order) -> bool:
    """重件 for reply sign-off: 紧急 orders, 投诉 and 举报."""
    return bool(order.urgent) or order.kind in MAJOR_KINDS


def needs_signoff(order, actor) -> bool:
    """A liaison's reply goes to the unit leader first when the unit's setting covers the order and the unit
    has an active leader."""
    if actor is None or actor.role != Role.LIAISON or order.unit_id is None:
        return False
    from portal.units.models import Unit

    unit = db.session.get(Unit, order.unit_id)  # by id: a bulk builder may not have flushed order.unit yet
    setting = unit.reply_signoff or "none"
    if not (setting == "all" or (setting == "major" and is_major(order))):
        return False
    # A unit without an active leader cannot sign off: its replies go to the centre as before.
    from portal.auth.models import User

    leader = select(User.id).where(User.unit_id == unit.id, User.role == Role.UNIT_LEADER, User.active.is_(True))
    return db.session.scalar(leader.limit(1)) is not None


def reply_awaiting_leader(order):
    """The liaison's reply waiting for the unit leader's sign-off, or None."""
    from portal.orders.records import Reply

    reply = latest_pending(Reply, order)
    return reply if reply is not None and reply.stage == ReturnStage.LEADER else None


def _guard_reply(order, actor, at):
    if reply_awaiting_leader(order) is not None:
        return "办结回复正在等待单位负责人签发。"
    if needs_signoff(order, actor):
        return "本单位的办结回复须经单位负责人签发，请提交签发。"
    return None


def _guard_signoff(order, actor, at):
    if reply_awaiting_leader(order) is not None:
        return "办结回复正在等待单位负责人签发。"
    return None if needs_signoff(order, actor) else "本工单的办结回复无需单位负责人签发。"


def _guard_leader_reply(order, actor, at):
    return None if reply_awaiting_leader(order) is not None else "没有待您签发的办结回复。"


def _guard_issue_notice(order, actor, at):
    from portal.orders.records import Supervision

    stmt = select(Supervision.id).where(Supervision.order_id == order.id, Supervision.unit_id == order.unit_id)
    return None if db.session.scalar(stmt.limit(1)) is not None else "请先督办（催办）；催办后仍未办理的，再下发督办单。"


def _guard_list_in_circular(order, actor, at):
    from portal.orders.models import OrderEvent
    from portal.orders.notices import SupervisionNotice

    notice = select(SupervisionNotice.id).where(SupervisionNotice.order_id == order.id,
                                                SupervisionNotice.unit_id == order.unit_id)
    if db.session.scalar(notice.limit(1)) is None:
        return "请先下发督办单；督办单下发后仍未办理的，再列入通报。"
    listed = select(OrderEvent.id).where(OrderEvent.order_id == order.id, OrderEvent.action == "list_in_circular")
    return "该工单已列入通报。" if db.session.scalar(listed.limit(1)) is not None else None


def _guard_callback(order, actor, at):
    from portal.orders.callbacks import called_back

    return "本次办结已回访，每次办结只回访一次。" if called_back(order) else None


def _guard_accept_reply(order, actor, at):
    waiting = open_co_tasks(order)
    if waiting:
        names = "、".join(t.unit.short_name for t in waiting)
        return f"协办单位尚未答复或免办：{names}。如需直接审核通过，请填写理由。"
    return None


def _guard_reopen(order, actor, at):
    return None if (order.last_unit_id or order.unit_id) else "该工单没有承办单位，不能重办。"


GUARDS = {
    "request_return": _guard_request_return,
    "leader_approve_return": _guard_stage(ReturnStage.LEADER),
    "leader_reject_return": _guard_stage(ReturnStage.LEADER),
    "approve_return": _guard_stage(ReturnStage.CENTRE),
    "reject_return": _guard_stage(ReturnStage.CENTRE),
    "request_extension": _guard_request_extension,
    "acknowledge": _guard_acknowledge,
    "reply": _guard_reply,
    "submit_reply_for_signoff": _guard_signoff,
    "leader_approve_reply": _guard_leader_reply,
    "leader_reject_reply": _guard_leader_reply,
    "issue_notice": _guard_issue_notice,
    "list_in_circular": _guard_list_in_circular,
    "callback": _guard_callback,
    "reopen": _guard_reopen,
    "accept_reply": _guard_accept_reply,
}
# Guards staff may override with a reason (recorded in the event's data): the wait for co-units.
OVERRIDABLE = frozenset({"accept_reply"})


class ActionForbidden(RuleViolation):
    """The actor's role (or unit) may not perform this action on this order (HTTP 403)."""

    status = 403


def target_state(order, action: str) -> S | None:
    to = TABLE.get((order.state, action))
    if to == RESUME:
        return S.IN_PROGRESS if order.signed_at else S.DISPATCHED
    return to


def why_not(order, action: str, actor, at: datetime | None = None, *, override: str = "") -> RuleViolation | None:
    """Return the error that would stop `actor` doing `action` on `order` at `at` (default now), or None.
    `override` (a reason) lets staff past an OVERRIDABLE guard."""
    if action not in ACTION_ROLES:
        return RuleViolation("未知的操作。")
    if getattr(actor, "role", None) not in ACTION_ROLES[action]:
        return ActionForbidden("您没有权限执行此操作。")
    if actor is not None and actor.is_unit_user and (actor.unit_id is None or actor.unit_id != order.unit_id):
        # Co-units and sub-units see the order but act only on their own tasks.
        return ActionForbidden("该工单不由您所在单位办理。")
    if (order.state, action) not in TABLE:
        state = order.state.label if order.state else "新建"
        return RuleViolation(f"工单当前状态为“{state}”，不能执行“{ACTION_LABELS[action]}”。")
    guard = GUARDS.get(action)
    if guard is None or (override.strip() and action in OVERRIDABLE):
        return None
    message = guard(order, actor, at or now())
    return RuleViolation(message) if message else None


def allowed_actions(order, user) -> set[str]:
    """The actions `user` may perform on `order` now (templates show forms for these only). An overridable
    guard does not hide its action: the form asks for the reason."""
    return {a for (state, a) in TABLE
            if state == order.state and a not in INTERNAL_ACTIONS
            and why_not(order, a, user, override="?" if a in OVERRIDABLE else "") is None}


def check_version(order, version) -> None:
    """Refuse a form rendered from an older version of the order (or of one of its tasks)."""
    try:
        current = int(version)
    except (TypeError, ValueError):
        current = None
    if current != order.version:
        raise Conflict(CONFLICT_MESSAGE)


def _flush() -> None:
    """Flush; an UPDATE that found a newer version (someone acted first) becomes a Conflict."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict(CONFLICT_MESSAGE) from exc


flush = _flush  # the services' name for it


# --- tasks: parts of an order given to other units (协办 by the centre, 下派 by a unit) -------------------
#
# A task moves through its own cells (TASK_CELLS) by the same transition() call, with `task=` (or, for a new
# task, the unit and its terms as parameters). The order's state and version stay as they are: a co-unit
# signing its part does not make the lead's open reply form stale. Each step is an event of the order's
# 流转记录 whose data names the task, its unit and its move.

NEW_TASK_ACTIONS = frozenset({"add_co_task", "pass_down"})
# Done by the task's own unit.
OWNER_ACTIONS = frozenset({"sign_task", "answer_task", "request_release"})
# Done by whoever gave the task: the centre for 协办 parts, the passing unit for parts passed down.
ASSIGNER_ACTIONS = frozenset({"accept_task", "send_back_task", "withdraw_task"})
# A unit passes the order itself down once it has signed it.
PASSABLE_ORDER_STATES = (S.IN_PROGRESS, S.EXTENSION_REQUESTED)
# Every column of a task that only the task cells set (tests/orders/test_one_path.py).
TASK_COLUMNS = ("state", "unit_id", "assigner_unit_id", "parent_task_id", "role", "task_text", "dispatched_at",
                "deadline", "signed_at", "answered_at", "ended_at", "opinion", "note", "handler_id")


@dataclass(frozen=True)
class TaskStep:
    order: Any
    task: Any  # None for a new task
    actor: Any
    at: datetime
    params: dict = field(default_factory=dict)


def current_tasks(order) -> list:
    """The order's current tasks (待签收, 办理中, 已答复, 申请免办), oldest first."""
    from portal.orders.models import OrderTask

    if order.id is None:
        return []
    stmt = select(OrderTask).where(OrderTask.order_id == order.id, OrderTask.state.in_(CURRENT_TASK_STATES))
    return list(db.session.scalars(stmt.order_by(OrderTask.id)))


def open_co_tasks(order) -> list:
    """The centre's 协办 parts not yet answered or released: the reply review waits for them."""
    return [t for t in current_tasks(order) if t.assigner_unit_id is None and t.state != T.ANSWERED]


def _ended_data(tasks) -> dict:
    if not tasks:
        return {}
    return {"ended_tasks": [{"task_id": t.id, "unit_id": t.unit_id, "unit": t.unit.short_name} for t in tasks]}


def _text_param(step, name: str, message: str, limit: int = 2000) -> str:
    value = (step.params.get(name) or "").strip()
    if not value:
        raise RuleViolation(message)
    if len(value) > limit:
        raise RuleViolation(f"内容不超过 {limit} 个字。")
    return value


def _has_current_task(order, unit) -> bool:
    return any(t.unit_id == unit.id for t in current_tasks(order))


def _task_terms(step: TaskStep, unit, role: TaskRole, deadline: datetime, ceiling: datetime, what: str,
                ceiling_name: str) -> dict:
    if deadline > ceiling:
        raise RuleViolation(f"{what}不能晚于{ceiling_name}（{ceiling:%Y-%m-%d %H:%M}）。")
    if deadline <= step.at:
        raise RuleViolation(f"{what}须晚于当前时间。")
    if _has_current_task(step.order, unit):
        raise RuleViolation(f"{unit.short_name}已有本工单的任务，不能重复派给它。")
    text = (step.params.get("task_text") or "").strip()
    if len(text) > 2000:
        raise RuleViolation("任务要求不超过 2000 个字。")
    return dict(order_id=step.order.id, unit_id=unit.id, role=role, task_text=text, dispatched_at=step.at,
                deadline=deadline)


def _add_co_task(step: TaskStep) -> Effect:
    """The centre gives a co-unit its 协办 part: its own text and deadline (default: the setting's working
    days before the lead's handle deadline), never after the lead's."""
    from portal.orders.deadlines import co_task_deadline

    order, unit = step.order, step.params.get("unit")
    if unit is None or not unit.active:
        raise RuleViolation("请选择一个有效的协办单位。")
    if unit.parent_id is not None:
        raise RuleViolation("协办单位须为一级承办单位（下级单位由其上级单位下派）。")
    if unit.id == order.unit_id:
        raise RuleViolation("主办单位不能同时作为协办单位。")
    deadline = step.params.get("deadline") or co_task_deadline(order.handle_deadline, step.at)
    terms = _task_terms(step, unit, TaskRole.CO, deadline, order.handle_deadline, "协办时限", "主办单位的办理时限")
    return Effect(set=dict(terms, assigner_unit_id=None, parent_task_id=None),
                  data={"deadline": deadline.isoformat()}, label=f"请{unit.short_name}协办")


def passing_unit_id(order, parent_task) -> int | None:
    """The unit that passes down: the task's unit when it passes its own task, else the order's lead."""
    return parent_task.unit_id if parent_task is not None else order.unit_id


def _pass_down(step: TaskStep) -> Effect:
    """A unit passes the order (or its own task) down to one of its direct sub-units, as 主办 (one at a
    time per level) or 协办, with a deadline no later than its own."""
    order, parent, unit = step.order, step.params.get("parent_task"), step.params.get("unit")
    passing = passing_unit_id(order, parent)
    if unit is None or not unit.active or unit.parent_id != passing:
        raise RuleViolation("只能下派给本单位的直属下级单位。")
    try:
        role = TaskRole(step.params.get("role") or TaskRole.LEAD)
    except ValueError:
        raise RuleViolation("请选择主办或协办。") from None
    if role == TaskRole.LEAD and any(
            t.role == TaskRole.LEAD and t.assigner_unit_id == passing
            and t.parent_task_id == (parent.id if parent else None) for t in current_tasks(order)):
        raise RuleViolation("本单位已有下级单位主办，其他下级单位只能协办。")
    deadline = step.params.get("deadline")
    if deadline is None:
        raise RuleViolation("请填写下派时限。")
    ceiling = parent.deadline if parent is not None else order.handle_deadline
    terms = _task_terms(step, unit, role, deadline, ceiling, "下派时限", "本单位的时限")
    if not terms["task_text"]:
        raise RuleViolation("请填写下派要求。")
    return Effect(set=dict(terms, assigner_unit_id=passing, parent_task_id=parent.id if parent else None),
                  data={"deadline": deadline.isoformat(), "assigner_unit_id": passing,
                        "parent_task_id": parent.id if parent else None},
                  label=f"下派{unit.short_name}{role.label}")


def _sign_task(step: TaskStep) -> Effect:
    return Effect(set=dict(signed_at=step.at, handler_id=getattr(step.actor, "id", None)))


def _answer_task(step: TaskStep) -> Effect:
    opinion = _text_param(step, "opinion", "请填写意见。")
    return Effect(set=dict(opinion=opinion, answered_at=step.at))


def _request_release(step: TaskStep) -> Effect:
    return Effect(set=dict(note=_text_param(step, "reason", "请填写申请免办的理由。")))


def _end_task(step: TaskStep) -> Effect:
    """Released, accepted or withdrawn: the task ends now, and so do the parts it passed further down."""
    below = _descendants(step.task, current_tasks(step.order))
    return Effect(set=dict(ended_at=step.at), data=_ended_data(below), end_tasks=tuple(below))


def _send_back(step: TaskStep) -> Effect:
    reason = _text_param(step, "reason", "请填写退回理由。")
    return Effect(set=dict(answered_at=None, note=reason))


def _descendants(task, tasks) -> list:
    found, frontier = [], {task.id}
    while frontier:
        below = [t for t in tasks if t.parent_task_id in frontier]
        found += below
        frontier = {t.id for t in below}
    return found


@dataclass(frozen=True)
class TaskCell:
    state: T | None
    action: str
    to: T | str
    effect: Callable[[TaskStep], Effect] = no_effect


TASK_CELLS: tuple[TaskCell, ...] = (
    TaskCell(None, "add_co_task", T.DISPATCHED, _add_co_task),
    TaskCell(None, "pass_down", T.DISPATCHED, _pass_down),
    TaskCell(T.DISPATCHED, "sign_task", T.IN_PROGRESS, _sign_task),
    TaskCell(T.IN_PROGRESS, "answer_task", T.ANSWERED, _answer_task),
    TaskCell(T.DISPATCHED, "request_release", T.RELEASE_REQUESTED, _request_release),
    TaskCell(T.IN_PROGRESS, "request_release", T.RELEASE_REQUESTED, _request_release),
    TaskCell(T.RELEASE_REQUESTED, "approve_release", T.RELEASED, _end_task),
    TaskCell(T.RELEASE_REQUESTED, "reject_release", RESUME),
    TaskCell(T.ANSWERED, "accept_task", T.ACCEPTED, _end_task),
    TaskCell(T.ANSWERED, "send_back_task", T.IN_PROGRESS, _send_back),
    *(TaskCell(s, "withdraw_task", T.WITHDRAWN, _end_task) for s in (
        T.DISPATCHED, T.IN_PROGRESS, T.ANSWERED, T.RELEASE_REQUESTED)),
)
TASK_TABLE: dict[tuple[T | None, str], T | str] = {(c.state, c.action): c.to for c in TASK_CELLS}
TASK_EFFECTS = {(c.state, c.action): c.effect for c in TASK_CELLS}
TASK_ACTIONS = frozenset(c.action for c in TASK_CELLS)


def task_target_state(task, action: str) -> T | None:
    to = TASK_TABLE.get((task.state if task is not None else None, action))
    if to == RESUME:
        return T.IN_PROGRESS if task.signed_at else T.DISPATCHED
    return to


def why_not_task(order, action: str, actor, task=None, at: datetime | None = None,
                 parent_task=None) -> RuleViolation | None:
    """The error that would stop `actor` doing the task action (on `task`, or making a new task under
    `parent_task`), or None. Rights: the task's own unit signs, answers and asks release; whoever gave it
    (the centre, or the passing unit) accepts, sends back and withdraws; the centre decides a release."""
    if action not in TASK_ACTIONS:
        return RuleViolation("未知的操作。")
    if getattr(actor, "role", None) not in ACTION_ROLES[action]:
        return ActionForbidden("您没有权限执行此操作。")
    unit_id = getattr(actor, "unit_id", None) if actor is not None and actor.is_unit_user else None
    if action in NEW_TASK_ACTIONS:
        if action == "pass_down":
            if unit_id is None or unit_id != passing_unit_id(order, parent_task):
                return ActionForbidden("只有持有该工单（或该任务）的单位可以下派。")
            if parent_task is not None and (parent_task.order_id != order.id or parent_task.state != T.IN_PROGRESS):
                return RuleViolation("请先签收本单位的任务（办理中的任务才能向下派）。")
            if parent_task is None and order.state not in PASSABLE_ORDER_STATES:
                return RuleViolation(f"工单当前状态为“{order.state.label}”，签收后才能下派。")
        if order.state not in TASK_ORDER_STATES:
            return RuleViolation(f"工单当前状态为“{order.state.label if order.state else '新建'}”，"
                                 f"不能执行“{ACTION_LABELS[action]}”。")
        return None
    if task is None or task.order_id != order.id:
        return RuleViolation("找不到该任务。")
    if action in OWNER_ACTIONS and unit_id != task.unit_id:
        return ActionForbidden("该任务不由您所在单位办理。")
    if action in ASSIGNER_ACTIONS:
        if task.assigner_unit_id is None and actor is not None and actor.is_unit_user:
            return ActionForbidden("该任务由中心派出，本单位不能执行此操作。")
        if task.assigner_unit_id is not None and unit_id != task.assigner_unit_id:
            return ActionForbidden("只有下派该任务的单位可以执行此操作。")
    if (task.state, action) not in TASK_TABLE:
        return RuleViolation(f"任务当前状态为“{task.state.label}”，不能执行“{ACTION_LABELS[action]}”。")
    if order.state not in TASK_ORDER_STATES:
        return RuleViolation(f"工单当前状态为“{order.state.label}”，任务不能再变动。")
    if action in ("request_release", "approve_release", "reject_release") and task.assigner_unit_id is not None:
        return RuleViolation("下派任务不能申请免办，请与上级单位沟通由其收回。")
    return None


def allowed_task_actions(order, task, user) -> set[str]:
    """The task actions `user` may perform on `task` now (the order page's task panel shows these)."""
    return {a for (state, a) in TASK_TABLE if state == task.state and why_not_task(order, a, user, task) is None}


def _end(tasks, at: datetime) -> None:
    for ended in tasks:
        ended.state = T.WITHDRAWN
        ended.ended_at = at


def _task_transition(order, action: str, actor, at: datetime, text: str, data: dict | None, flush: bool,
                     params: dict):
    from portal.orders.models import OrderTask

    task = params.pop("task", None)
    error = why_not_task(order, action, actor, task, at, parent_task=params.get("parent_task"))
    if error is not None:
        raise error
    effect = TASK_EFFECTS[(task.state if task is not None else None, action)](TaskStep(order, task, actor, at, params))
    from_state = task.state if task is not None else None
    to_state = task_target_state(task, action)
    if task is None:
        task = OrderTask(state=to_state, created_by_id=getattr(actor, "id", None), **effect.set)
        db.session.add(task)
    else:
        for column, value in effect.set.items():
            setattr(task, column, value)
        task.state = to_state
    _end(effect.end_tasks, at)
    try:
        _flush()  # the new task's id; a task changed meanwhile becomes a Conflict
    except IntegrityError as exc:  # the same unit given a part of the order at the same moment by someone else
        db.session.rollback()
        raise Conflict(CONFLICT_MESSAGE) from exc
    text = "。".join(part for part in (effect.label or f"{task.unit.short_name}{ACTION_LABELS[action]}", text) if part)
    facts = {"task_id": task.id, "unit_id": task.unit_id, "unit": task.unit.short_name, "role": task.role.value,
             "task_from": from_state.value if from_state else None, "task_to": to_state.value}
    event = append_event(order, action, actor, from_state=order.state, to_state=order.state, text=text,
                         data={**facts, **effect.data, **(data or {})}, at=at)
    if flush:
        _flush()
    return event


def transition(order, action: str, actor, *, at: datetime | None = None, text: str = "", data: dict | None = None,
               flush: bool = True, **params):
    """Check the role, the cell and its guard; apply the cell's effect and state at `at` (default now);
    record the event; flush. Returns the event. A task action (TASK_CELLS) moves `task=` (or makes a new
    task) the same way and leaves the order's own columns alone.

    A bulk builder (the demo, an import) may pass flush=False and flush once per order: the checks, the
    effects and the event are the same; only the UPDATE waits (a guard's query autoflushes anyway)."""
    at = at or now()
    if action in TASK_ACTIONS:
        return _task_transition(order, action, actor, at, text, data, flush, params)
    error = why_not(order, action, actor, at, override=params.get("override") or "")
    if error is not None:
        raise error
    effect = EFFECTS[(order.state, action)](Step(order, actor, at, params))
    from_state = order.state
    to_state = target_state(order, action)
    for column, value in effect.set.items():
        setattr(order, column, value)
    order.state = to_state
    _end(effect.end_tasks, at)
    if order.id is not None:
        flag_modified(order, "state")  # every action bumps the version, even one that keeps the state
    else:
        db.session.add(order)
    text = "。".join(part for part in (effect.label, text) if part)
    event = append_event(order, action, actor, from_state=from_state, to_state=to_state, text=text,
                         data={**effect.data, **(data or {})}, at=at)
    if flush:
        _flush()
    return event
