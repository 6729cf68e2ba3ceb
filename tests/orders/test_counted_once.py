"""Counted facts are recorded once (issue 11): one-time form tokens, callbacks without default and one per
closure, and reviews whose optional 意见 is left out of the POST."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.auth.roles import Role
from portal.calls.models import Call
from portal.extensions import db
from portal.orders import services
from portal.orders.enums import CallbackResult, OrderState
from portal.orders.models import Callback, WorkOrder
from portal.orders.records import Reply
from portal.web.once import FormToken
from tests.factories import UserFactory
from tests.orders.factories import NOW, frozen, order_in, staffed_unit

S = OrderState


def token_of(page: str, panel: str | None = None) -> str:
    """The one-time token of the form (of the panel with this data-testid) in a rendered page."""
    if panel is not None:
        page = page[page.index(f'data-testid="panel-{panel}"'):]
    return re.search(r'name="once" type="hidden" value="([^"]+)"|type="hidden" name="once" value="([^"]+)"|'
                     r'id="once" name="once" type="hidden" value="([^"]+)"', page).group(0).split('value="')[1][:-1]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_double_clicked_direct_reply_records_one_call_and_shows_the_first_result(client, login_as):
    login_as(Role.OPERATOR)
    token = token_of(client.get("/calls/").get_data(as_text=True))
    data = {"received_at": "2018-08-20T09:30", "mobile": "13912345678", "summary": "市民咨询停水", "once": token,
            "no_entry_reason": "告知停水通知的发布渠道"}
    first = client.post("/calls/answer", data=data)
    second = client.post("/calls/answer", data=data)
    assert first.status_code == second.status_code == 303 and first.location == second.location
    assert count(Call) == 1
    assert "来电已登记为直接答复" in client.get("/calls/").get_data(as_text=True)
    # a new form (a new token) is a new call
    data["once"] = token_of(client.get("/calls/").get_data(as_text=True))
    client.post("/calls/answer", data=data)
    assert count(Call) == 2


def test_a_call_turned_into_an_order_twice_is_one_call_and_one_order(client, login_as):
    login_as(Role.OPERATOR)
    token = token_of(client.get("/calls/").get_data(as_text=True))
    data = {"received_at": "2018-08-20T09:30", "mobile": "13912345678", "summary": "小区路灯不亮已经一周", "once": token}
    first, second = client.post("/calls/order", data=data), client.post("/calls/order", data=data)
    assert count(Call) == 1 and first.location == second.location
    form = client.get(first.location).get_data(as_text=True)
    call = db.session.scalars(select(Call)).one()
    order = {"kind": "consult", "content": "小区路灯不亮已经一周，晚上出行不便。", "caller_mobile": "13912345678",
             "call_id": str(call.id), "once": token_of(form)}
    made = [client.post("/orders/new", data=order) for _ in range(2)]
    assert [r.status_code for r in made] == [303, 303] and made[0].location == made[1].location
    assert count(WorkOrder) == 1
    db.session.expire_all()
    assert call.order_id == db.session.scalars(select(WorkOrder.id)).one()
    # the call page's order button now leads to the order it became, not to a second order form
    again = client.post("/calls/order", data=data)
    assert again.location.endswith(f"/orders/{call.order_id}")


def test_a_double_clicked_reply_is_one_reply_and_no_conflict(client, login_as):
    unit, _leader, _liaison = staffed_unit()
    with frozen():
        order = order_in(S.IN_PROGRESS, unit)
        login_as(Role.LIAISON, unit=unit)
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
        data = {"version": str(order.version), "result": "已联系群众并修复路灯。", "contact_way": "电话",
                "contacted_at": "2026-11-24T09:30", "resolved": "1", "once": token_of(page, "reply")}
        first = client.post(f"/orders/{order.id}/act/reply", data=data)
        second = client.post(f"/orders/{order.id}/act/reply", data=data)
    assert first.status_code == second.status_code == 303
    assert count(Reply) == 1 and db.session.get(WorkOrder, order.id).state == S.REPLIED


def test_callback_has_no_default_five_levels_and_one_per_closure(client, login_as):
    unit, _leader, _liaison = staffed_unit()
    with frozen():
        order = order_in(S.CLOSED, unit, completed_at=NOW, closed_at=NOW)
        login_as(Role.CENTRE_STAFF)
        page = client.get(f"/orders/{order.id}").get_data(as_text=True)
        panel = page[page.index('data-testid="panel-callback"'):]
        select_html = panel[panel.index("<select"):panel.index("</select>")]
        assert re.findall(r"<option[^>]*>([^<]+)</option>", select_html) == [
            "请选择回访结果", "非常满意", "满意", "基本满意", "不满意", "非常不满意"]
        assert "selected" not in select_html.split("</option>", 1)[1]  # no level chosen in advance
        token = token_of(page, "callback")
        missing = client.post(f"/orders/{order.id}/act/callback", data={"version": str(order.version), "once": token})
        assert missing.status_code == 422 and "请选择回访结果" in missing.get_data(as_text=True)
        assert count(Callback) == 0
        data = {"version": str(order.version), "result": "very_unsatisfied", "note": "问题仍在", "once": token}
        assert client.post(f"/orders/{order.id}/act/callback", data=data).status_code == 303
        assert client.post(f"/orders/{order.id}/act/callback", data=data).status_code == 303  # the double-click
        assert count(Callback) == 1
        # a second callback of the same closure (a new form) is refused, and its panel is gone
        db.session.expire_all()
        order = db.session.get(WorkOrder, order.id)
        assert 'data-testid="panel-callback"' not in client.get(f"/orders/{order.id}").get_data(as_text=True)
        again = client.post(f"/orders/{order.id}/act/callback",
                            data={"version": str(order.version), "result": "satisfied", "once": "another-token"})
        assert again.status_code == 422 and count(Callback) == 1
        # reopened and closed again: a new closure gets its own callback
        staff = UserFactory(role=Role.CENTRE_STAFF)
        services.reopen(order, staff, "群众反映未解决")
        order.state, order.completed_at, order.closed_at = S.CLOSED, NOW, NOW
        db.session.commit()
        services.record_callback(order, staff, CallbackResult.SATISFIED)
        db.session.commit()
    assert sorted(db.session.scalars(select(Callback.closure))) == [1, 2]


def test_approving_a_return_or_accepting_a_reply_without_the_opinion_field_is_no_error(client, login_as):
    unit, _leader, _liaison = staffed_unit()
    with frozen():
        returning = order_in(S.RETURN_REQUESTED, unit)
        replied = order_in(S.REPLIED, unit)
        login_as(Role.CENTRE_STAFF)
        approve = client.post(f"/orders/{returning.id}/act/approve_return", data={"version": str(returning.version)})
        accept = client.post(f"/orders/{replied.id}/act/accept_reply", data={"version": str(replied.version)})
    assert approve.status_code == accept.status_code == 303
    db.session.expire_all()
    assert db.session.get(WorkOrder, returning.id).state == S.PENDING
    assert db.session.get(WorkOrder, replied.id).state == S.CLOSED
    assert db.session.scalars(select(Reply.review_note)).one() == ""


def test_a_token_is_bound_to_its_form(client, login_as):
    """A token spent on one kind of form does not count as another form's first result."""
    login_as(Role.OPERATOR)
    db.session.add(FormToken(token="spent", purpose="order_new", target_id=1, used_at=NOW))
    db.session.commit()
    resp = client.post("/calls/answer", data={"received_at": "2018-08-20T09:30", "mobile": "13912345678",
                                              "summary": "市民咨询停水", "once": "spent"})
    assert resp.status_code == 422 and count(Call) == 0


def test_a_double_clicked_kb_submission_records_one_entry_and_shows_it(client, login_as):
    from portal.knowledge.models import EntryStatus, KBEntry

    user = login_as(Role.LIAISON)
    token = token_of(client.get("/knowledge/new").get_data(as_text=True))
    data = {"title": "停车场收费标准", "answer": "按物价部门核定标准收费", "material_kind": "政策文件",
            "action": "submit", "once": token}
    first, second = client.post("/knowledge/new", data=data), client.post("/knowledge/new", data=data)
    assert first.status_code == second.status_code == 303 and first.location == second.location
    entry = db.session.scalars(select(KBEntry).where(KBEntry.unit_id == user.unit_id)).one()
    assert entry.status == EntryStatus.SUBMITTED and len(entry.versions) == 1
