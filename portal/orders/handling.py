"""Unit-side services and the centre's reviews of them: sign, reply, return, extension.

A return goes to the unit's active leader first (when it has one and the requester is not the
leader), then to the centre. An approved return puts the order back to 待派单 with unit_id cleared
(last_unit_id kept for statistics); a rejected one leaves it with the unit, deadline unchanged.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.clock import now
from portal.errors import RuleViolation
from portal.extensions import db
from portal.notifications.services import notify, notify_centre
from portal.orders.attachments import save_attachment
from portal.orders.enums import RequestStatus, ReturnStage
from portal.orders.models import WorkOrder
from portal.orders.records import ExtensionRequest, Reply, ReturnRequest
from portal.orders.services import order_link
from portal.orders.transitions import (
    MAX_EXTENSION_DAYS, flush, latest_pending, needs_signoff, pending_extension, pending_return, reply_awaiting_leader,
    transition, why_not,
)


def unit_leaders(unit_id: int) -> list[User]:
    stmt = select(User).where(User.unit_id == unit_id, User.role == Role.UNIT_LEADER, User.active.is_(True))
    return list(db.session.scalars(stmt.order_by(User.id)))


def sign(order: WorkOrder, actor, text: str = "") -> WorkOrder:
    transition(order, "sign", actor, text=text)
    return order


def request_return(order: WorkOrder, actor, reason: str, duty_basis: str) -> ReturnRequest:
    """申请退单 with the reason and the duty basis cited."""
    error = why_not(order, "request_return", actor)
    if error is not None:
        raise error
    leaders = unit_leaders(order.unit_id)
    at = now()
    request = ReturnRequest(order_id=order.id, unit_id=order.unit_id, requested_by_id=actor.id, requested_at=at,
                            reason=reason, duty_basis=duty_basis, status=RequestStatus.PENDING)
    if actor.role == Role.UNIT_LEADER or not leaders:
        # The leader's own request (or a unit without a leader) goes straight to the centre.
        request.stage = ReturnStage.CENTRE
        if actor.role == Role.UNIT_LEADER:
            request.leader_id, request.leader_decided_at = actor.id, at
    else:
        request.stage = ReturnStage.LEADER
    db.session.add(request)
    transition(order, "request_return", actor, text=reason,
               data={"duty_basis": duty_basis, "stage": request.stage.value})
    if request.stage == ReturnStage.LEADER:
        for leader in leaders:
            notify(leader, "return_leader", f"工单 {order.number} 申请退单，待您审批：{reason}", order_link(order))
    else:
        _tell_centre(order, "申请退单，待审核", reason)
    return request


def _short(text: str, size: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[:size] + "…"


def _tell_centre(order: WorkOrder, what: str, text: str) -> None:
    """A return, an extension or a reply now waits for the centre's review: tell its staff."""
    unit = order.unit.short_name if order.unit else ""
    notify_centre("review_waiting", f"{unit}工单 {order.number} {what}：{_short(text)}", order_link(order))


def leader_decide_return(order: WorkOrder, actor, approve: bool, note: str = "") -> ReturnRequest:
    """The unit leader approves (on to the centre) or rejects (back to the unit) a return request."""
    request = pending_return(order)
    transition(order, "leader_approve_return" if approve else "leader_reject_return", actor, text=note)
    request.leader_id, request.leader_decided_at, request.leader_note = actor.id, now(), note
    if approve:
        request.stage = ReturnStage.CENTRE
        _tell_centre(order, "申请退单（单位负责人已同意），待审核", request.reason)
    else:
        request.status = RequestStatus.REJECTED
        notify(order.unit, "return_decision", f"工单 {order.number} 的退单申请未获单位负责人同意：{note}",
               order_link(order))
    flush()
    return request


def centre_decide_return(order: WorkOrder, actor, approve: bool, note: str) -> ReturnRequest:
    """The centre approves (→ 待派单, unit cleared) or rejects (stays with the unit) a return request."""
    request = pending_return(order)
    unit = order.unit
    transition(order, "approve_return" if approve else "reject_return", actor, text=note,
               data={"unit": unit.short_name if unit else None})
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, now(), note
    verdict = "已同意，工单已退回中心" if approve else "未同意，请继续办理"
    notify(unit, "return_decision", f"工单 {order.number} 的退单申请中心{verdict}：{note}", order_link(order))
    flush()
    return request


def request_extension(order: WorkOrder, actor, reason: str, working_days: int) -> ExtensionRequest:
    """申请延期: before the deadline, at most 10 working days; the order keeps working meanwhile."""
    if not 1 <= working_days <= MAX_EXTENSION_DAYS:
        raise RuleViolation(f"延期天数应为1至{MAX_EXTENSION_DAYS}个工作日。")
    error = why_not(order, "request_extension", actor)
    if error is not None:
        raise error
    request = ExtensionRequest(order_id=order.id, unit_id=order.unit_id, requested_by_id=actor.id,
                               requested_at=now(), reason=reason, working_days=working_days,
                               old_deadline=order.handle_deadline)
    db.session.add(request)
    transition(order, "request_extension", actor, text=reason, data={"working_days": working_days})
    _tell_centre(order, f"申请延期{working_days}个工作日，待审核", reason)
    return request


def decide_extension(order: WorkOrder, actor, approve: bool, note: str) -> ExtensionRequest:
    """Approval moves the handle deadline by the requested working days."""
    error = why_not(order, "approve_extension" if approve else "reject_extension", actor)
    if error is not None:
        raise error
    request = pending_extension(order)
    if request is None:
        raise RuleViolation("没有待审核的延期申请。")
    old_deadline = order.handle_deadline
    if approve:
        transition(order, "approve_extension", actor, text=note, working_days=request.working_days)
    else:
        transition(order, "reject_extension", actor, text=note, data={"working_days": request.working_days})
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, now(), note
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    if approve:
        request.old_deadline, request.new_deadline = old_deadline, order.handle_deadline
    verdict = f"已同意，办理时限延至{order.handle_deadline:%Y-%m-%d %H:%M}" if approve else "未同意"
    notify(order.unit, "extension_decision", f"工单 {order.number} 的延期申请{verdict}：{note}".rstrip("："),
           order_link(order))
    flush()
    return request


def submit_reply(order: WorkOrder, actor, *, result: str, contact_way: str, contacted_at: datetime | None,
                 resolved: bool, unresolved_reason: str = "", files=()) -> Reply:
    """办结回复 with optional attachments. When the unit's sign-off setting covers the order, a liaison's reply
    waits for the unit leader (回复签发); otherwise it reaches the centre now."""
    signoff = needs_signoff(order, actor)
    action = "submit_reply_for_signoff" if signoff else "reply"
    error = why_not(order, action, actor)
    if error is not None:
        raise error
    if not resolved and not unresolved_reason.strip():
        raise RuleViolation("未解决的，请说明原因。")
    at = now()
    # The transition first: its guard looks for a reply already waiting for the leader.
    event = transition(order, action, actor, at=at, text=result, data={"resolved": resolved, "contact_way": contact_way})
    reply = Reply(order_id=order.id, unit_id=order.unit_id, submitted_by_id=actor.id, submitted_at=at,
                  result=result, contact_way=contact_way, contacted_at=contacted_at, resolved=resolved,
                  unresolved_reason="" if resolved else unresolved_reason,
                  stage=ReturnStage.LEADER if signoff else ReturnStage.CENTRE,
                  reached_centre_at=None if signoff else at)
    db.session.add(reply)
    if not signoff:
        _withdraw_extension(order)
    db.session.flush()
    event.data = {"reply_id": reply.id, **event.data}
    for storage in files:
        save_attachment(order, storage, actor, reply=reply)
    if signoff:
        for leader in unit_leaders(order.unit_id):
            notify(leader, "reply_leader", f"工单 {order.number} 的办结回复待您签发：{_short(result)}", order_link(order))
    else:
        _tell_centre(order, "已办结回复，待审核", result)
    return reply


def _withdraw_extension(order: WorkOrder) -> None:
    """A reply that reaches the centre withdraws a pending extension request."""
    extension = pending_extension(order)
    if extension is not None:
        extension.status = RequestStatus.WITHDRAWN
        extension.decision_note = "单位已办结回复，延期申请自动撤回。"


def leader_decide_reply(order: WorkOrder, actor, approve: bool, note: str = "") -> Reply:
    """The unit leader signs the reply off (it reaches the centre now, 待审核) or sends it back with a reason."""
    action = "leader_approve_reply" if approve else "leader_reject_reply"
    error = why_not(order, action, actor)
    if error is not None:
        raise error
    reply = reply_awaiting_leader(order)
    at = now()
    transition(order, action, actor, at=at, text=note, data={"reply_id": reply.id})
    reply.leader_id, reply.leader_decided_at, reply.leader_note = actor.id, at, note
    if approve:
        reply.stage, reply.reached_centre_at = ReturnStage.CENTRE, at
        _withdraw_extension(order)
    else:
        reply.status = RequestStatus.REJECTED
    flush()
    if approve:
        _tell_centre(order, "已办结回复（单位负责人已签发），待审核", reply.result)
    else:
        notify(order.unit, "reply_decision", f"工单 {order.number} 的办结回复未获单位负责人签发：{note}",
               order_link(order))
    return reply


def latest_pending_reply(order: WorkOrder) -> Reply | None:
    return latest_pending(Reply, order)


def review_reply(order: WorkOrder, actor, accept: bool, note: str, *, override: str = "") -> Reply:
    """Accept (→ 已办结, completed when the reply reached the centre) or reject (→ 重办 with a new deadline).
    Acceptance waits for every co-unit's answer or release, unless staff override with a reason."""
    action = "accept_reply" if accept else "reject_reply"
    override = override.strip() if accept else ""
    error = why_not(order, action, actor, override=override)
    if error is not None:
        raise error
    reply = latest_pending_reply(order)
    if reply is None:
        raise RuleViolation("没有待审核的回复。")
    transition(order, action, actor, text=note, data={"reply_id": reply.id}, completed_at=reply.counted_at,
               override=override)
    reply.reviewed_by_id, reply.reviewed_at, reply.review_note = actor.id, now(), note
    reply.status = RequestStatus.APPROVED if accept else RequestStatus.REJECTED
    verdict = "审核通过，工单已办结" if accept else "未通过，请重新办理"
    notify(order.unit, "reply_decision", f"工单 {order.number} 的办结回复{verdict}：{note}".rstrip("："),
           order_link(order))
    flush()
    return reply
