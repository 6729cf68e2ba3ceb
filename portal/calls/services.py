"""来电 services: log a call answered directly from the KB, or one that becomes an order."""
from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import select

from portal.audit.services import record
from portal.calls.models import Call, CallOutcome
from portal.errors import RuleViolation
from portal.extensions import db
from portal.knowledge.models import EntryStatus, KBEntry

ORDERS_NEW = "orders.new"


def _live_entries(entry_ids: list[int]) -> list[KBEntry]:
    ids = sorted(set(entry_ids))
    if not ids:
        return []
    entries = list(db.session.scalars(select(KBEntry).where(
        KBEntry.id.in_(ids), KBEntry.published_version_id.is_not(None), KBEntry.status != EntryStatus.RETIRED)))
    if len(entries) != len(ids):
        raise RuleViolation("所选的知识库条目已失效或不存在，请重新检索。")
    return entries


def log_direct_reply(actor, *, received_at: datetime, mobile: str, summary: str, entry_ids: list[int],
                     no_entry_reason: str = "") -> Call:
    """直接答复: the call is closed with the published entries the operator answered from, or why none."""
    entries = _live_entries(entry_ids)
    if not entries and not no_entry_reason.strip():
        raise RuleViolation("请勾选答复所依据的知识库条目，或说明未采用知识库的原因。")
    call = Call(received_at=received_at, mobile=mobile, summary=summary, outcome=CallOutcome.DIRECT,
                operator_id=actor.id, entries=entries, no_entry_reason=None if entries else no_entry_reason.strip())
    db.session.add(call)
    db.session.flush()
    return call


def log_for_order(actor, *, received_at: datetime, mobile: str, summary: str) -> Call:
    """A call that becomes an order: logged now; the orders feature sets outcome=ORDER and order_id on creation."""
    call = Call(received_at=received_at, mobile=mobile, summary=summary, outcome=None, operator_id=actor.id)
    db.session.add(call)
    db.session.flush()
    return call


def conversion_problem(actor, call: Call) -> str | None:
    """Why `actor` may not turn this call into an order, or None: an operator only their own open call (not
    yet answered directly); the centre any call without an order (audited by claim_for_order)."""
    if call.order_id is not None:
        return "该来电已形成工单，不能重复登记。"
    if actor.is_centre:
        return None
    if call.operator_id != actor.id:
        return "只能将本人登记、尚未办结的来电转为工单。"
    if call.outcome is not None:
        return f"该来电已按{call.outcome.label}办结，不能再转为工单；确需立单请联系中心工作人员。"
    return None


def claim_for_order(actor, call: Call, order) -> None:
    """Mark the call 形成工单 by `order`; the centre turning another's or a finished call is audited."""
    problem = conversion_problem(actor, call)
    if problem:
        raise RuleViolation(problem)
    if call.operator_id != actor.id or call.outcome is not None:
        was = call.outcome.label if call.outcome is not None else "待建工单"
        record("call.to_order", object_type="call", object_id=call.id,
               detail=f"将来电（原状态：{was}，登记人编号 {call.operator_id or '无'}）转为工单 {order.number}")
    call.outcome = CallOutcome.ORDER
    call.order_id = order.id
    db.session.flush()


def order_url(call: Call) -> str:
    """The orders feature's create page for this call: it reads number and words from the stored call,
    so the caller's number and complaint never travel in a URL (browser history, server logs)."""
    return url_for(ORDERS_NEW, call_id=call.id)
