"""A call becomes an order only while it is the operator's own open call; the centre may turn any call
without an order, and that is audited. A refusal shows nothing of the call and changes nothing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.roles import Role
from portal.calls.models import Call, CallOutcome
from portal.extensions import db
from portal.orders.models import WorkOrder
from tests.factories import UserFactory

ORDER = {"kind": "consult", "caller_mobile": "13912345678", "content": "小区路灯不亮已经一周了，晚上出行不便。"}


def _call(operator, outcome=None) -> Call:
    call = Call(received_at=datetime(2026, 11, 24, 9, 30), mobile="13912345678", summary="楼下路灯不亮",
                outcome=outcome, operator_id=operator.id, no_entry_reason="按常识答复" if outcome else None)
    db.session.add(call)
    db.session.commit()
    return call


def _orders() -> int:
    return db.session.scalar(select(func.count(WorkOrder.id)))


def test_another_operators_finished_direct_reply_is_neither_shown_nor_converted(client, login_as):
    other = UserFactory(role=Role.OPERATOR, unit=None)
    call = _call(other, CallOutcome.DIRECT)
    login_as(Role.OPERATOR)
    page = client.get(f"/orders/new?call_id={call.id}")
    assert page.status_code == 404 and "13912345678" not in page.text and "楼下路灯不亮" not in page.text
    resp = client.post("/orders/new", data={**ORDER, "call_id": str(call.id)})
    assert resp.status_code == 422 and "只能将本人登记、尚未办结的来电转为工单" in resp.text
    assert "楼下路灯不亮" not in resp.text
    db.session.expire_all()
    assert (call.outcome, call.order_id, _orders()) == (CallOutcome.DIRECT, None, 0)


def test_an_operator_cannot_convert_their_own_finished_direct_reply(client, login_as):
    me = login_as(Role.OPERATOR)
    call = _call(me, CallOutcome.DIRECT)
    assert client.get(f"/orders/new?call_id={call.id}").status_code == 404
    resp = client.post("/orders/new", data={**ORDER, "call_id": str(call.id)})
    assert resp.status_code == 422 and "已按直接答复办结" in resp.text
    db.session.expire_all()
    assert (call.outcome, call.order_id, _orders()) == (CallOutcome.DIRECT, None, 0)


def test_the_operators_own_open_call_becomes_an_order_without_an_audit_row(client, login_as):
    me = login_as(Role.OPERATOR)
    call = _call(me)
    assert "楼下路灯不亮" in client.get(f"/orders/new?call_id={call.id}").text
    assert client.post("/orders/new", data={**ORDER, "call_id": str(call.id)}).status_code == 303
    db.session.expire_all()
    assert call.outcome == CallOutcome.ORDER and call.order_id is not None
    assert db.session.scalar(select(func.count()).where(AuditEvent.event == "call.to_order")) == 0


def test_centre_staff_may_convert_a_finished_call_and_it_is_audited(client, login_as):
    operator = UserFactory(role=Role.OPERATOR, unit=None)
    call = _call(operator, CallOutcome.DIRECT)
    login_as(Role.CENTRE_STAFF)
    assert "楼下路灯不亮" in client.get(f"/orders/new?call_id={call.id}").text
    assert client.post("/orders/new", data={**ORDER, "call_id": str(call.id)}).status_code == 303
    db.session.expire_all()
    assert call.outcome == CallOutcome.ORDER
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "call.to_order"))
    assert event.object_id == str(call.id) and "原状态：直接答复" in event.detail
