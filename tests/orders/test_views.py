"""Order pages through the test client: lists, filters, create, actions, caller privacy, scoping 404s, export."""
from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook
from sqlalchemy import select

from portal.auth.roles import Role
from portal.calls.models import Call, CallOutcome
from portal.extensions import db
from portal.orders.enums import OrderState
from portal.orders.records import ReturnRequest
from portal.orders.models import OrderEvent, WorkOrder
from tests.orders.factories import NOW, frozen, order_in, staffed_unit

S = OrderState
HX = {"HX-Request": "true"}


def test_my_orders_tabs_count_and_mark_due_and_overdue(client, login_as):
    unit, _leader, _liaison = staffed_unit()
    with frozen():
        order_in(S.DISPATCHED, unit, title="待签收的工单")
        order_in(S.IN_PROGRESS, unit, title="快到期的工单", handle_deadline=datetime(2026, 11, 24, 23, 59, 59))
        order_in(S.IN_PROGRESS, unit, title="逾期的工单", handle_deadline=datetime(2026, 11, 23, 23, 59, 59))
        order_in(S.IN_PROGRESS, staffed_unit()[0], title="别的单位的工单")
        login_as(Role.LIAISON, unit=unit)
        page = client.get("/orders/mine?tab=working").get_data(as_text=True)
        assert "<html" in page and "快到期的工单" in page and "逾期的工单" in page
        assert "待签收的工单" not in page and "别的单位的工单" not in page
        assert "即将到期" in page and "已逾期" in page and "剩余13小时" in page
        fragment = client.get("/orders/mine?tab=overdue", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment
    assert "逾期的工单" in fragment and "快到期的工单" not in fragment


def test_filters_by_keyword_and_kind(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        order_in(S.IN_PROGRESS, unit, title="路灯不亮", content="路灯坏了一周")
        order_in(S.IN_PROGRESS, unit, title="噪音扰民", content="夜间施工", kind="complaint")
        login_as(Role.LIAISON, unit=unit)
        by_word = client.get("/orders/mine?tab=working&keyword=路灯", headers=HX).get_data(as_text=True)
        by_kind = client.get("/orders/mine?tab=working&kind=complaint", headers=HX).get_data(as_text=True)
    assert "路灯不亮" in by_word and "噪音扰民" not in by_word
    assert "噪音扰民" in by_kind and "路灯不亮" not in by_kind


def test_queues_show_counts_for_the_centre(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        order_in(S.PENDING, None)
        order_in(S.PENDING, None)
        order_in(S.REPLIED, unit)
        login_as(Role.CENTRE_STAFF)
        page = client.get("/orders/queues").get_data(as_text=True)
    assert 'data-testid="tab-pending"' in page
    assert "待派单 <span class=\"badge rounded-pill text-bg-secondary\">2</span>" in page
    assert "回复审核 <span class=\"badge rounded-pill text-bg-secondary\">1</span>" in page


def test_create_order_and_link_the_call(client, login_as):
    with frozen():
        order_in(S.PENDING, None, title="同一号码上周的工单", caller_mobile="13912345678")
        operator = login_as(Role.OPERATOR)
        call = Call(received_at=datetime(2026, 11, 24, 9, 30), mobile="13912345678", summary="路灯不亮",
                    operator_id=operator.id)
        db.session.add(call)
        db.session.commit()
        prefill = client.get(f"/orders/new?call_id={call.id}").get_data(as_text=True)
        assert 'value="13912345678"' in prefill and "路灯不亮" in prefill
        # Possible duplicates show as soon as the form opens, before anything is edited.
        assert "同一号码上周的工单" in prefill and "同一来电号码" in prefill
        resp = client.post("/orders/new", data={"kind": "consult", "caller_mobile": "13912345678",
                                                "content": "小区路灯不亮已经一周了", "call_id": str(call.id)})
    assert resp.status_code == 303
    order = db.session.scalars(select(WorkOrder).where(WorkOrder.title != "同一号码上周的工单")).one()
    assert resp.headers["Location"].endswith(f"/orders/{order.id}")
    assert (call.outcome, call.order_id, order.state) == (CallOutcome.ORDER, order.id, S.PENDING)


def test_bad_order_form_keeps_the_input_and_says_why(client, login_as):
    login_as(Role.CENTRE_STAFF)
    resp = client.post("/orders/new", data={"kind": "consult", "caller_mobile": "电话号码", "content": "短",
                                            "address": "汉滨区某路"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "诉求内容应为5至5000个字" in body and "请填写正确的电话号码" in body
    assert 'value="汉滨区某路"' in body
    assert db.session.scalar(select(db.func.count(WorkOrder.id))) == 0


def test_duplicates_by_mobile_and_by_content(client, login_as):
    with frozen():
        order_in(S.PENDING, None, title="同号码", caller_mobile="13700001111", content="完全不同的事情")
        order_in(S.PENDING, None, title="同内容", caller_mobile="13600002222",
                 content="幸福小区门口夜间施工噪音扰民严重")
        login_as(Role.OPERATOR)
        body = client.get("/orders/duplicates", query_string={
            "caller_mobile": "13700001111", "content": "幸福小区门口夜间施工噪音扰民"}, headers=HX).get_data(as_text=True)
    assert "同一来电号码" in body and "内容相似" in body


def test_action_panels_follow_allowed_actions_and_sign_works(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        order = order_in(S.DISPATCHED, unit)
        user = login_as(Role.LIAISON, unit=unit)
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
        assert 'data-testid="panel-sign"' in page and 'data-testid="panel-reply"' not in page
        assert 'data-testid="panel-dispatch"' not in page
        resp = client.post(f"/orders/{order.id}/act/sign", data={"version": order.version}, headers=HX)
    assert resp.status_code == 200 and resp.headers["HX-Redirect"].endswith(f"/orders/{order.id}")
    db.session.refresh(order)
    assert order.state == S.IN_PROGRESS and order.handler_id == user.id


def test_invalid_action_form_rerenders_the_panel_with_the_input(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        login_as(Role.LIAISON, unit=unit)
        resp = client.post(f"/orders/{order.id}/act/request_extension",
                           data={"version": order.version, "reason": "需要现场核实", "working_days": "15"}, headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "延期天数应为1至10个工作日" in body and "需要现场核实" in body
    assert "<html" not in body
    _assert_unchanged(order, S.IN_PROGRESS)


def test_a_reply_cannot_claim_a_contact_in_the_future(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        login_as(Role.LIAISON, unit=unit)
        resp = client.post(f"/orders/{order.id}/act/reply", headers=HX, data={
            "version": order.version, "result": "已现场处理，积水已排除。", "contact_way": "电话",
            "contacted_at": "2026-11-24T15:00", "resolved": "1"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "联系时间不能晚于现在" in body and "已现场处理，积水已排除。" in body
    db.session.refresh(order)
    assert order.state == S.IN_PROGRESS


def test_the_extension_review_shows_the_deadline_an_approval_would_set(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        order = order_in(S.EXTENSION_REQUESTED, unit)  # 3 working days asked, deadline Fri 2026-11-27
        login_as(Role.CENTRE_STAFF)
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert 'data-testid="extension-preview"' in page
    assert "申请延期 3 个工作日：办理时限将由 2026-11-27 23:59 延至 <strong>2026-12-02 23:59</strong>" in page


def test_irreversible_actions_ask_first_and_overdue_is_said_once(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        replied = order_in(S.REPLIED, unit)
        order_in(S.IN_PROGRESS, unit, title="逾期的工单", handle_deadline=datetime(2026, 11, 23, 23, 59, 59))
        login_as(Role.CENTRE_STAFF)
        page = client.get(f"/orders/{replied.id}").get_data(as_text=True)
        listing = client.get("/orders/queues?tab=overdue").get_data(as_text=True)
    assert 'hx-confirm="审核通过后工单即办结' in page and 'hx-confirm="退回重办' in page
    assert "已逾期 已逾期" not in listing and ">已逾期10小时<" in listing


def test_rule_refusal_is_a_422_with_the_reason(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit, designated=True)
        login_as(Role.LIAISON, unit=unit)
        resp = client.post(f"/orders/{order.id}/act/request_return",
                           data={"version": order.version, "reason": "不归我们管", "duty_basis": "三定"}, headers=HX)
    assert resp.status_code == 422 and "中心指定办理" in resp.get_data(as_text=True)
    _assert_unchanged(order, S.IN_PROGRESS)
    assert db.session.scalar(select(db.func.count(ReturnRequest.id))) == 0


def test_role_without_the_action_gets_403(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        order = order_in(S.PENDING, None)
        login_as(Role.OPERATOR)
        resp = client.post(f"/orders/{order.id}/act/dispatch", data={"version": order.version, "unit_id": unit.id})
    assert resp.status_code == 403
    _assert_unchanged(order, S.PENDING)
    assert db.session.get(WorkOrder, order.id).unit_id is None


def _assert_unchanged(order, state):
    """A refused action leaves the order's state, version and 流转记录 as they were."""
    version = order.version
    db.session.expire_all()
    again = db.session.get(WorkOrder, order.id)
    assert (again.state, again.version, again.events) == (state, version, [])


def test_mobile_masked_for_units_revealed_with_an_audit_and_hidden_when_confidential(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        secret = order_in(S.IN_PROGRESS, unit, confidential=True, caller_name="李女士")
        login_as(Role.LIAISON, unit=unit)
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
        assert "138****1234" in page and "13812341234" not in page
        revealed = client.post(f"/orders/{order.id}/reveal", headers=HX).get_data(as_text=True)
        assert "13812341234" in revealed
        secret_page = client.get(f"/orders/{secret.id}").get_data(as_text=True)
        assert "李女士" not in secret_page and "138****1234" not in secret_page and "保密工单" in secret_page
        assert client.post(f"/orders/{secret.id}/reveal", headers=HX).status_code == 422
    events = db.session.scalars(select(OrderEvent).where(OrderEvent.action == "reveal_mobile")).all()
    assert [e.order_id for e in events] == [order.id]


def test_centre_sees_the_full_mobile(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        login_as(Role.CENTRE_STAFF)
        assert "13812341234" in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_another_units_order_answers_404(client, login_as):
    unit, _l, _li = staffed_unit()
    other, _ol, _oli = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, other)
        login_as(Role.LIAISON, unit=unit)
        assert client.get(f"/orders/{order.id}").status_code == 404
        assert client.post(f"/orders/{order.id}/act/sign", data={"version": order.version}).status_code == 404
        assert client.post(f"/orders/{order.id}/reveal").status_code == 404


def test_export_is_the_filtered_scoped_list(client, login_as):
    unit, _l, _li = staffed_unit()
    other, _ol, _oli = staffed_unit()
    with frozen():
        mine = order_in(S.IN_PROGRESS, unit, title="路灯不亮")
        order_in(S.IN_PROGRESS, unit, title="噪音扰民")
        order_in(S.IN_PROGRESS, other, title="路灯不亮（别的单位）")
        login_as(Role.LIAISON, unit=unit)
        resp = client.get("/orders/export.xlsx?tab=working&keyword=路灯")
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "工单编号" and "联系电话" not in rows[0]
    assert [r[0] for r in rows[1:]] == [mine.number]
    assert rows[1][9].startswith("剩余")


def test_unit_picker_searches_names_and_aliases(client, login_as):
    from tests.factories import UnitFactory

    UnitFactory(short_name="市住建局", full_name="安康市住房和城乡建设局", aliases=["住建"])
    UnitFactory(short_name="市水利局", full_name="安康市水利局")
    login_as(Role.CENTRE_STAFF)
    body = client.get("/orders/units?q=住房", headers=HX).get_data(as_text=True)
    assert "市住建局" in body and "市水利局" not in body


def test_dispatch_through_the_view(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        order = order_in(S.PENDING, None)
        login_as(Role.CENTRE_STAFF)
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
        assert 'data-testid="panel-dispatch"' in page and unit.short_name in page
        resp = client.post(f"/orders/{order.id}/act/dispatch", data={"version": order.version, "unit_id": unit.id})
    assert resp.status_code == 303
    db.session.refresh(order)
    assert (order.state, order.unit_id, order.dispatched_at) == (S.DISPATCHED, unit.id, NOW)


def test_to_sign_rows_show_the_handle_clock_and_the_sign_clock(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        order_in(S.DISPATCHED, unit, sign_deadline=datetime(2026, 11, 24, 10, 20))
        login_as(Role.LIAISON, unit=unit)
        body = client.get("/orders/mine?tab=to_sign", headers=HX).get_data(as_text=True)
    assert "剩余3个工作日14小时" in body  # handle deadline Friday 23:59:59, seen from Tuesday 10:00
    assert "签收：" in body and "剩余20分钟" in body and "即将到期" in body


def test_closed_tab_lists_newest_first_by_default(client, login_as):
    unit, _l, _li = staffed_unit()
    with frozen():
        old = order_in(S.CLOSED, unit, accepted_at=datetime(2026, 11, 1, 9, 0))
        new = order_in(S.CLOSED, unit, accepted_at=datetime(2026, 11, 20, 9, 0))
        login_as(Role.LIAISON, unit=unit)
        body = client.get("/orders/mine?tab=closed", headers=HX).get_data(as_text=True)
    assert body.index(new.number) < body.index(old.number)
