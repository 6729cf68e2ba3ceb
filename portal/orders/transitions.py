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
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from portal.auth.roles import CENTRE_ROLES, Role
from portal.calendar.deadlines import end_of_working_day_after, extend_deadline
from portal.clock import now
from portal.errors import Conflict, RuleViolation
from portal.extensions import db
from portal.orders.deadlines import handle_deadline, sign_deadline
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

SYSTEM = None  # the actor of an import or a recompute run from the command line
CENTRE = frozenset(CENTRE_ROLES)
UNIT = frozenset({Role.UNIT_LEADER, Role.LIAISON})
LEADER = frozenset({Role.UNIT_LEADER})
CREATORS = CENTRE | {Role.OPERATOR}

# Every column the lifecycle owns. Only transition() assigns them (and `state`).
LIFECYCLE_COLUMNS = (
    "unit_id", "last_unit_id", "handler_id", "dispatched_at", "sign_deadline", "signed_at", "handle_started_at",
    "handle_deadline", "completed_at", "closed_at", "return_count", "extension_count", "reopen_count",
    "designated", "merged_into_id",
)

ACTION_LABELS = {
    "create": "登记工单",
    "import": "导入",
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
    "close_imported": "导入办结",
    "handover": "移交经办人",
    "deadline_recomputed": "办理时限重算",
}

ACTION_ROLES: dict[str, frozenset] = {
    "create": CREATORS,
    "import": CENTRE | {SYSTEM},
    "dispatch": CENTRE | {SYSTEM},
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
    "close_imported": CENTRE | {SYSTEM},
    "handover": LEADER,
    "deadline_recomputed": frozenset({Role.ADMIN, SYSTEM}),
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
    re-dispatch starts new ones."""
    return Effect(set=dict(unit_id=None, handler_id=None, return_count=step.order.return_count + 1))


def _approve_extension(step: Step) -> Effect:
    order = step.order
    days = _param(step, "working_days", "没有待审核的延期申请。")
    new = extend_deadline(order.handle_deadline, days)
    return Effect(set=dict(handle_deadline=new, extension_count=order.extension_count + 1),
                  data={"working_days": days, "from": order.handle_deadline.isoformat(), "to": new.isoformat()})


def _accept_reply(step: Step) -> Effect:
    """已办结: completed when the accepted reply was submitted, closed now."""
    completed = _param(step, "completed_at", "没有待审核的回复。")
    return Effect(set=dict(completed_at=completed, closed_at=step.at))


def _restart_clock(step: Step, **more) -> Effect:
    """A rejected reply or a reopen: 办理中 with a new handle deadline from now."""
    order = step.order
    deadline = handle_deadline(step.at, order.kind, order.urgent)
    return Effect(set=dict(handle_started_at=step.at, handle_deadline=deadline, reopen_count=order.reopen_count + 1,
                           **more),
                  data={"handle_deadline": deadline.isoformat()})


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
    Cell(S.PENDING, "dispatch", S.DISPATCHED, _dispatch),
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
    Cell(S.REPLIED, "reject_reply", S.IN_PROGRESS, _restart_clock),
    Cell(S.CLOSED, "callback", S.CLOSED),
    Cell(S.CLOSED, "reopen", S.IN_PROGRESS, _reopen),
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


def _guard_callback(order, actor, at):
    from portal.orders.callbacks import called_back

    return "本次办结已回访，每次办结只回访一次。" if called_back(order) else None


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
    "callback": _guard_callback,
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


def why_not(order, action: str, actor, at: datetime | None = None) -> RuleViolation | None:
    """Return the error that would stop `actor` doing `action` on `order` at `at` (default now), or None."""
    if action not in ACTION_ROLES:
        return RuleViolation("未知的操作。")
    if getattr(actor, "role", None) not in ACTION_ROLES[action]:
        return ActionForbidden("您没有权限执行此操作。")
    if actor is not None and actor.is_unit_user and (actor.unit_id is None or actor.unit_id != order.unit_id):
        return ActionForbidden("该工单不由您所在单位办理。")
    if (order.state, action) not in TABLE:
        state = order.state.label if order.state else "新建"
        return RuleViolation(f"工单当前状态为“{state}”，不能执行“{ACTION_LABELS[action]}”。")
    guard = GUARDS.get(action)
    message = guard(order, actor, at or now()) if guard else None
    return RuleViolation(message) if message else None


def allowed_actions(order, user) -> set[str]:
    """The actions `user` may perform on `order` now (templates show forms for these only)."""
    return {a for (state, a) in TABLE
            if state == order.state and a not in INTERNAL_ACTIONS and why_not(order, a, user) is None}


def check_version(order, version) -> None:
    """Refuse a form rendered from an older version of the order."""
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


def transition(order, action: str, actor, *, at: datetime | None = None, text: str = "", data: dict | None = None,
               flush: bool = True, **params):
    """Check the role, the cell and its guard; apply the cell's effect and state at `at` (default now);
    record the event; flush. Returns the event.

    A bulk builder (the demo, an import) may pass flush=False and flush once per order: the checks, the
    effects and the event are the same; only the UPDATE waits (a guard's query autoflushes anyway)."""
    at = at or now()
    error = why_not(order, action, actor, at)
    if error is not None:
        raise error
    effect = EFFECTS[(order.state, action)](Step(order, actor, at, params))
    from_state = order.state
    to_state = target_state(order, action)
    for column, value in effect.set.items():
        setattr(order, column, value)
    order.state = to_state
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
