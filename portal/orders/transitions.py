"""The order lifecycle (DOMAIN.md §3) as data, and the one function that moves an order through it.

TABLE maps (state, action) to the new state; ACTION_ROLES says which roles may perform an action;
GUARDS add the rules that depend on more than the state (a pending request's stage, the 2-working-day
return window, the extension limit, 指定). transition() checks all three, sets the state, appends the
流转记录 event and flushes. allowed_actions() answers templates from the same data.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from portal.auth.roles import CENTRE_ROLES, Role
from portal.clock import now
from portal.errors import Conflict, RuleViolation
from portal.extensions import db
from portal.orders.enums import OrderState as S
from portal.orders.enums import RequestStatus, ReturnStage
from portal.orders.events import append_event

CONFLICT_MESSAGE = "该工单已被他人处理，请刷新后查看最新状态。"
MAX_EXTENSIONS = 2
MAX_EXTENSION_DAYS = 10
RETURN_WINDOW_WORKING_DAYS = 2
RETURNS_BEFORE_DESIGNATION = 3

# The state the order was in before a return request: 办理中 once signed, else 待签收.
RESUME = "resume"

CENTRE = frozenset(CENTRE_ROLES)
UNIT = frozenset({Role.UNIT_LEADER, Role.LIAISON})
LEADER = frozenset({Role.UNIT_LEADER})
CREATORS = CENTRE | {Role.OPERATOR}

ACTION_LABELS = {
    "create": "登记工单",
    "dispatch": "派单",
    "sign": "签收",
    "reply": "办结回复",
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
    "callback": "回访",
    "merge": "并单",
    "reopen": "重办",
}

ACTION_ROLES: dict[str, frozenset[Role]] = {
    "create": CREATORS,
    "dispatch": CENTRE,
    "merge": CENTRE,
    "sign": UNIT,
    "reply": UNIT,
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
    "callback": CENTRE,
    "reopen": CENTRE,
}

_WORKING = (S.DISPATCHED, S.IN_PROGRESS, S.RETURN_REQUESTED, S.EXTENSION_REQUESTED)

TABLE: dict[tuple[S | None, str], S | str] = {
    (None, "create"): S.PENDING,
    (S.PENDING, "dispatch"): S.DISPATCHED,
    (S.PENDING, "merge"): S.MERGED,
    (S.DISPATCHED, "sign"): S.IN_PROGRESS,
    (S.DISPATCHED, "request_return"): S.RETURN_REQUESTED,
    (S.IN_PROGRESS, "request_return"): S.RETURN_REQUESTED,
    (S.RETURN_REQUESTED, "leader_approve_return"): S.RETURN_REQUESTED,
    (S.RETURN_REQUESTED, "leader_reject_return"): RESUME,
    (S.RETURN_REQUESTED, "approve_return"): S.PENDING,
    (S.RETURN_REQUESTED, "reject_return"): RESUME,
    (S.IN_PROGRESS, "request_extension"): S.EXTENSION_REQUESTED,
    (S.EXTENSION_REQUESTED, "approve_extension"): S.IN_PROGRESS,
    (S.EXTENSION_REQUESTED, "reject_extension"): S.IN_PROGRESS,
    (S.IN_PROGRESS, "reply"): S.REPLIED,
    (S.EXTENSION_REQUESTED, "reply"): S.REPLIED,  # the order keeps working while an extension is reviewed
    (S.REPLIED, "accept_reply"): S.CLOSED,
    (S.REPLIED, "reject_reply"): S.IN_PROGRESS,
    (S.CLOSED, "callback"): S.CLOSED,
    (S.CLOSED, "reopen"): S.IN_PROGRESS,
    **{(s, "supervise"): s for s in _WORKING},
    **{(s, "acknowledge"): s for s in (*_WORKING, S.REPLIED, S.CLOSED)},
}


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

    stmt = select(Supervision).where(Supervision.order_id == order.id, Supervision.acknowledged_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Supervision.id))) if order.id else []


def return_window_end(order):
    """The end of the 2 working days after dispatch in which a unit may ask to return an order: 23:59:59 of
    the 2nd working day strictly after the dispatch date, like every "N working days after" in DOMAIN §3."""
    from portal.calendar.deadlines import end_of_working_day_after

    if order.dispatched_at is None:
        return None
    return end_of_working_day_after(order.dispatched_at.date(), RETURN_WINDOW_WORKING_DAYS)


def _guard_request_return(order, actor):
    if order.designated:
        return "该工单为中心指定办理，不能退单。"
    end = return_window_end(order)
    if end is not None and now() > end:
        return "已超过派单后2个工作日，不能申请退单。"
    return None


def _guard_stage(stage):
    def guard(order, actor):
        request = pending_return(order)
        if request is None or request.stage != stage:
            return "该退单申请当前不由您审批。" if stage == ReturnStage.LEADER else "该退单申请尚未经单位负责人同意。"
        return None
    return guard


def _guard_request_extension(order, actor):
    if order.extension_count >= MAX_EXTENSIONS:
        return f"每张工单最多延期{MAX_EXTENSIONS}次。"
    if order.handle_deadline is not None and now() >= order.handle_deadline:
        return "已超过办理时限，不能再申请延期。"
    return None


def _guard_acknowledge(order, actor):
    return None if open_supervisions(order) else "没有待确认的督办。"


def _guard_reopen(order, actor):
    return None if (order.last_unit_id or order.unit_id) else "该工单没有承办单位，不能重办。"


GUARDS = {
    "request_return": _guard_request_return,
    "leader_approve_return": _guard_stage(ReturnStage.LEADER),
    "leader_reject_return": _guard_stage(ReturnStage.LEADER),
    "approve_return": _guard_stage(ReturnStage.CENTRE),
    "reject_return": _guard_stage(ReturnStage.CENTRE),
    "request_extension": _guard_request_extension,
    "acknowledge": _guard_acknowledge,
    "reopen": _guard_reopen,
}


class ActionForbidden(RuleViolation):
    """The actor's role (or unit) may not perform this action on this order (HTTP 403)."""

    status = 403


def target_state(order, action: str) -> S | None:
    to = TABLE.get((order.state, action))
    if to == RESUME:
        return S.IN_PROGRESS if order.signed_at else S.DISPATCHED
    return to


def why_not(order, action: str, actor) -> RuleViolation | None:
    """Return the error that would stop `actor` doing `action` on `order` now, or None."""
    if action not in ACTION_ROLES:
        return RuleViolation("未知的操作。")
    if actor.role not in ACTION_ROLES[action]:
        return ActionForbidden("您没有权限执行此操作。")
    if actor.is_unit_user and (actor.unit_id is None or actor.unit_id != order.unit_id):
        return ActionForbidden("该工单不由您所在单位办理。")
    if (order.state, action) not in TABLE:
        state = order.state.label if order.state else "新建"
        return RuleViolation(f"工单当前状态为“{state}”，不能执行“{ACTION_LABELS[action]}”。")
    guard = GUARDS.get(action)
    message = guard(order, actor) if guard else None
    return RuleViolation(message) if message else None


def allowed_actions(order, user) -> set[str]:
    """The actions `user` may perform on `order` now (templates show forms for these only)."""
    return {a for (state, a) in TABLE if state == order.state and why_not(order, a, user) is None}


def check_version(order, version) -> None:
    """Refuse a form rendered from an older version of the order."""
    try:
        current = int(version)
    except (TypeError, ValueError):
        current = None
    if current != order.version:
        raise Conflict(CONFLICT_MESSAGE)


def flush() -> None:
    """Flush; an UPDATE that found a newer version (someone acted first) becomes a Conflict."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict(CONFLICT_MESSAGE) from exc


def transition(order, action: str, actor, *, text: str = "", data: dict | None = None):
    """Check the table, the role and the guards; set the state; record the event; flush."""
    error = why_not(order, action, actor)
    if error is not None:
        raise error
    from_state = order.state
    to_state = target_state(order, action)
    order.state = to_state
    if order.id is not None:
        flag_modified(order, "state")  # every action bumps the version, even one that keeps the state
    else:
        db.session.add(order)
    event = append_event(order, action, actor, from_state=from_state, to_state=to_state, text=text, data=data)
    flush()
    return event
