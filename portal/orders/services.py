"""Centre-side order services: create, dispatch, merge, supervise, callback, reopen, reveal a phone number.

Every service takes the actor, changes the order through transitions.transition() and flushes; the
view commits once.
"""
from __future__ import annotations

from portal.clock import now
from portal.errors import RuleViolation
from portal.extensions import db
from portal.notifications.services import notify
from portal.orders.enums import CallbackResult, OrderKind
from portal.orders.events import append_event
from portal.orders.callbacks import closure_number
from portal.orders.models import Callback, Subject, Tag, WorkOrder
from portal.orders.notices import SupervisionNotice, next_notice_seq
from portal.orders.numbering import next_number
from portal.orders.privacy import for_unit
from portal.orders.records import Supervision
from portal.orders.transitions import open_supervisions, transition, why_not
from portal.web.links import link_for


def order_link(order: WorkOrder) -> str:
    """The order page's path, the same in a request and in a command (the CLI sends reminders)."""
    return link_for("orders.detail", order_id=order.id)


def create_order(actor, *, kind: OrderKind, content: str, title: str = "", subject: Subject | None = None,
                 tags: list[Tag] = (), caller_name: str = "", caller_mobile: str = "", address: str = "",
                 urgent: bool = False, confidential: bool = False, call=None) -> WorkOrder:
    """Register a new order (待派单); when it comes from a call, mark that call 形成工单."""
    at = now()
    order = WorkOrder(
        number=next_number(at), accepted_at=call.received_at if call is not None else at, kind=kind,
        title=(title or content).strip()[:60], content=content.strip(), subject=subject, tags=list(tags),
        caller_name=caller_name or None, caller_mobile=caller_mobile or None, address=address or None,
        urgent=urgent, confidential=confidential, created_by_id=actor.id, created_at=at,
    )
    data = {"call_id": call.id} if call is not None else None
    transition(order, "create", actor, text=order.title, data=data)
    if call is not None:
        from portal.calls.services import claim_for_order

        claim_for_order(actor, call, order)
    return order


def dispatch(order: WorkOrder, actor, unit, *, designate: bool = False, text: str = "") -> WorkOrder:
    """派单 (or re-dispatch after a return): new sign and handle clocks start now; 指定 after 3 returns.
    (With co-units: portal.orders.tasks.dispatch_with_co_units.)"""
    transition(order, "dispatch", actor, text=text.strip("。"), unit=unit, designate=designate)
    notify(unit, "new_order", f"新工单 {order.number}：{for_unit(order, 'title')}" + ("（中心指定办理）" if order.designated else ""),
           order_link(order))
    return order


def merge(order: WorkOrder, actor, target: WorkOrder | None, reason: str) -> WorkOrder:
    """并单: link a repeat request to an earlier order."""
    transition(order, "merge", actor, text=reason, into=target)
    append_event(target, "merged_from", actor, text=f"工单 {order.number} 并入本工单：{reason}",
                 data={"from": order.number, "from_id": order.id})
    db.session.flush()
    return order


def supervise(order: WorkOrder, actor, text: str, *, at=None) -> Supervision:
    """督办: a message the unit must see and acknowledge."""
    at = at or now()
    record = Supervision(order_id=order.id, unit_id=order.unit_id, created_by_id=actor.id, created_at=at, text=text)
    db.session.add(record)
    transition(order, "supervise", actor, at=at, text=text)
    notify(order.unit, "supervise", f"工单 {order.number} 督办：{text}", order_link(order))
    return record


def issue_notice(order: WorkOrder, actor, text: str, *, at=None) -> SupervisionNotice:
    """督办单: a numbered formal notice (督〔YYYY〕N号) after a 催办 went unheeded; the unit acknowledges it like a
    督办 message and can print it."""
    error = why_not(order, "issue_notice", actor)
    if error is not None:
        raise error
    at = at or now()
    notice = SupervisionNotice(order_id=order.id, unit_id=order.unit_id, year=at.year, seq=next_notice_seq(at.year),
                               text=text, issued_by_id=actor.id, issued_at=at)
    db.session.add(notice)
    db.session.add(Supervision(order_id=order.id, unit_id=order.unit_id, created_by_id=actor.id, created_at=at,
                               text=f"督办单 {notice.number}：{text}"))
    transition(order, "issue_notice", actor, at=at, text=f"{notice.number}：{text}", data={"notice": notice.number})
    notify(order.unit, "supervise", f"工单 {order.number} 督办单 {notice.number}：{text}", order_link(order))
    return notice


def list_in_circular(order: WorkOrder, actor, text: str = "", *, at=None) -> WorkOrder:
    """列入通报: the last step of graded chasing; the next circular's data names the order."""
    transition(order, "list_in_circular", actor, at=at, text=text)
    notify(order.unit, "supervise", f"工单 {order.number} 经督办单督办仍未办结，已列入通报。", order_link(order))
    return order


def acknowledge(order: WorkOrder, actor) -> list[Supervision]:
    """The unit confirms it has seen every open supervise message."""
    records = open_supervisions(order)
    transition(order, "acknowledge", actor, text="已阅督办", data={"supervisions": [r.id for r in records]})
    for record in records:
        record.acknowledged_by_id = actor.id
        record.acknowledged_at = now()
    db.session.flush()
    return records


def reopen(order: WorkOrder, actor, reason: str) -> WorkOrder:
    """重办: back to the last unit, 办理中, with a new handle deadline from now."""
    transition(order, "reopen", actor, text=reason)
    notify(order.unit, "reopen", f"工单 {order.number} 重办：{reason}", order_link(order))
    return order


def record_callback(order: WorkOrder, actor, result: CallbackResult, note: str = "",
                    reopen_order: bool = False) -> Callback:
    """回访, one per closure (the unique key backs the guard); an unsatisfied citizen may get the order
    reopened at once."""
    closure = closure_number(order)
    transition(order, "callback", actor, text=f"{result.label}。{note}".rstrip("。"), data={"result": result.value})
    callback = Callback(order_id=order.id, result=result, note=note, at=now(), actor_id=actor.id, closure=closure)
    db.session.add(callback)
    db.session.flush()
    if reopen_order:
        if not result.may_reopen:
            raise RuleViolation("只有回访不满意或非常不满意时才能随回访重办。")
        reopen(order, actor, f"回访{result.label}：{note}" if note else f"回访{result.label}")
    return callback


def reveal_mobile(order: WorkOrder, actor) -> str:
    """Show a unit user the caller's full number; every reveal is on the order's record."""
    if order.confidential and actor.is_unit_user:
        raise RuleViolation("保密工单不向承办单位显示来电人信息。")
    if not order.caller_mobile:
        raise RuleViolation("该工单没有联系电话。")
    append_event(order, "reveal_mobile", actor, text="查看来电人完整电话")
    db.session.flush()
    return order.caller_mobile
