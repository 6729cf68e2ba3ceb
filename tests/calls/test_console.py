"""The operator's call console: a direct reply records its entries; an order is prefilled."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from portal.auth.roles import Role
from portal.calls.models import Call, CallOutcome
from portal.extensions import db
from tests.factories import UnitFactory
from tests.knowledge.factories import published_entry

HX = {"HX-Request": "true"}


def test_console_shows_the_live_search_beside_the_form(client, login_as):
    login_as(Role.OPERATOR)
    page = client.get("/calls/").get_data(as_text=True)
    assert 'id="call-form"' in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert "/knowledge/search" in page


def test_direct_reply_records_the_entries_that_answered_it(client, login_as):
    unit = UnitFactory()
    first = published_entry(unit, "停水怎么办")
    second = published_entry(unit, "水费缴纳")
    operator = login_as(Role.OPERATOR)
    resp = client.post("/calls/answer", data={
        "received_at": "2018-08-20T09:30", "mobile": "13912345678", "summary": "市民咨询停水",
        "entry_ids": [str(first.id), str(second.id)]}, headers=HX)
    assert resp.status_code == 200 and resp.headers["HX-Redirect"] == "/calls/"
    call = db.session.scalars(db.select(Call)).one()
    assert call.outcome == CallOutcome.DIRECT and call.operator_id == operator.id
    assert sorted(e.id for e in call.entries) == sorted([first.id, second.id])
    assert call.received_at.isoformat() == "2018-08-20T09:30:00"


def test_a_direct_reply_needs_a_ticked_entry_or_a_reason_why_none(client, login_as):
    login_as(Role.OPERATOR)
    data = {"received_at": "2018-08-20T09:30", "mobile": "13912345678", "summary": "市民咨询公交线路"}
    refused = client.post("/calls/answer", data=data, headers=HX)
    assert refused.status_code == 422 and "请在右侧检索结果中勾选" in refused.get_data(as_text=True)
    assert "市民咨询公交线路" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Call.id))) == 0
    resp = client.post("/calls/answer", data={**data, "no_entry_reason": "知识库暂无公交线路条目"}, headers=HX)
    assert resp.status_code == 200
    call = db.session.scalars(db.select(Call)).one()
    assert (call.outcome, call.entries, call.no_entry_reason) == (CallOutcome.DIRECT, [], "知识库暂无公交线路条目")


def test_bad_input_rerenders_the_form_with_422_and_keeps_what_was_typed(client, login_as):
    login_as(Role.OPERATOR)
    resp = client.post("/calls/answer", data={"received_at": "昨天", "mobile": "abc", "summary": "问路灯"}, headers=HX)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "来电号码格式不正确" in body and "来电时间格式不正确" in body and "问路灯" in body
    assert db.session.scalar(db.select(db.func.count(Call.id))) == 0


def test_unpublished_entries_cannot_be_recorded_as_the_answer(client, login_as):
    from portal.knowledge import services
    from tests.knowledge.factories import data, liaison

    unit = UnitFactory()
    draft = services.create_entry(liaison(unit), unit.id, data("草稿"))
    db.session.commit()
    login_as(Role.OPERATOR)
    resp = client.post("/calls/answer", data={"received_at": "2018-08-20T09:30", "mobile": "13912345678",
                                              "summary": "x", "entry_ids": [str(draft.id)]}, headers=HX)
    assert resp.status_code == 422 and "已失效或不存在" in resp.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Call.id))) == 0


def test_a_call_that_becomes_an_order_goes_to_the_prefilled_order_form(client, login_as, app):
    login_as(Role.OPERATOR)
    resp = client.post("/calls/order", data={"received_at": "2018-08-20T09:30", "mobile": "13912345678",
                                             "summary": "小区路灯不亮"}, headers=HX)
    call = db.session.scalars(db.select(Call)).one()
    if "orders.new" in app.view_functions:
        target = urlparse(resp.headers["HX-Redirect"])
        assert target.path == "/orders/new"
        # The caller's number and words stay on the server: only the call's id travels in the URL.
        assert parse_qs(target.query) == {"call_id": [str(call.id)]}
        assert "13912345678" not in resp.headers["HX-Redirect"]
        assert call.outcome is None  # the orders feature sets ORDER and order_id once the order exists
        form = client.get(resp.headers["HX-Redirect"]).get_data(as_text=True)
        assert 'value="13912345678"' in form and "小区路灯不亮" in form
        # Until the order is saved the call is a draft the operator can resume from the console and home page.
        for page in ("/calls/", "/"):
            assert f'href="/orders/new?call_id={call.id}"' in client.get(page).get_data(as_text=True)
    else:
        assert resp.status_code == 422
